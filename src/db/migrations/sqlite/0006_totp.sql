CREATE TABLE `user_totps` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`sealed_secret` text NOT NULL,
	`issuer` text NOT NULL,
	`account_name` text NOT NULL,
	`enabled` integer NOT NULL,
	`last_step` integer,
	`created_at` integer NOT NULL,
	`enabled_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `user_users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `user_totps_user` ON `user_totps` (`user_id`,`enabled`);