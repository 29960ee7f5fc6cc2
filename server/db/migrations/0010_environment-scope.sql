CREATE TABLE `environment_roles` (
	`user_id` text NOT NULL,
	`environment_id` text NOT NULL,
	`role` text NOT NULL,
	`granted_at` integer NOT NULL,
	`granted_by` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `environment_roles_user_environment` ON `environment_roles` (`user_id`,`environment_id`);--> statement-breakpoint
DROP INDEX `operations_one_running`;--> statement-breakpoint
ALTER TABLE `operations` ADD `environment_id` text DEFAULT 'local' NOT NULL;--> statement-breakpoint
CREATE INDEX `operations_environment_created` ON `operations` (`environment_id`,`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `operations_one_running` ON `operations` (`environment_id`,`mutating`) WHERE status = 'running' AND mutating = 1;--> statement-breakpoint
ALTER TABLE `environments` ADD `production` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `health_incidents` ADD `environment_id` text DEFAULT 'local' NOT NULL;--> statement-breakpoint
ALTER TABLE `health_samples` ADD `environment_id` text DEFAULT 'local' NOT NULL;