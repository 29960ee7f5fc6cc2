CREATE TABLE `environments` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`colour` text NOT NULL,
	`kind` text NOT NULL,
	`ssh_user` text NOT NULL,
	`ssh_host` text NOT NULL,
	`ssh_port` integer NOT NULL,
	`deploy_dir` text NOT NULL,
	`host_key_algorithm` text NOT NULL,
	`host_key_fingerprint` text NOT NULL,
	`created_at` integer NOT NULL,
	`created_by` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `environments_name_unique` ON `environments` (`name`);--> statement-breakpoint
CREATE UNIQUE INDEX `environments_target_unique` ON `environments` (`ssh_host`,`ssh_port`,`deploy_dir`);