CREATE TABLE `user_attempt_counters` (
	`key` text PRIMARY KEY NOT NULL,
	`window_start` integer NOT NULL,
	`count` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `user_attempt_counters_window_start` ON `user_attempt_counters` (`window_start`);