CREATE TABLE `health_incidents` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`until` integer,
	`kind` text NOT NULL,
	`container` text,
	`service` text,
	`color` text,
	`state` text,
	`exit_code` integer,
	`health` text,
	`signal` text,
	`reconciled` integer DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE INDEX `health_incidents_at` ON `health_incidents` (`at`);--> statement-breakpoint
CREATE INDEX `health_incidents_container_at` ON `health_incidents` (`container`,`at`);--> statement-breakpoint
CREATE TABLE `health_samples` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`resolution` integer NOT NULL,
	`container` text NOT NULL,
	`service` text NOT NULL,
	`color` text,
	`cpu_percent` real,
	`memory_bytes` integer,
	`count` integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `health_samples_resolution_at` ON `health_samples` (`resolution`,`at`);--> statement-breakpoint
CREATE TABLE `health_watch_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`heartbeat_at` integer NOT NULL
);
