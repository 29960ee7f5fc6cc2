CREATE TABLE `operation_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`operation_id` text NOT NULL,
	`seq` integer NOT NULL,
	`at` integer NOT NULL,
	`step` text NOT NULL,
	`status` text NOT NULL,
	`data` text,
	FOREIGN KEY (`operation_id`) REFERENCES `operations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `operation_events_seq` ON `operation_events` (`operation_id`,`seq`);--> statement-breakpoint
CREATE TABLE `operations` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`mutating` integer NOT NULL,
	`params` text NOT NULL,
	`actor_id` text,
	`actor_email` text,
	`created_at` integer NOT NULL,
	`finished_at` integer,
	`error_code` text,
	`error_message` text,
	`result` text
);
--> statement-breakpoint
CREATE INDEX `operations_created` ON `operations` (`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `operations_one_running` ON `operations` (`mutating`) WHERE status = 'running' AND mutating = 1;