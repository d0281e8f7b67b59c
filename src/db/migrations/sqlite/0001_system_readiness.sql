CREATE TABLE `system_readiness` (
	`id` integer PRIMARY KEY NOT NULL,
	`checked_at` integer NOT NULL
);
--> statement-breakpoint
DROP TABLE IF EXISTS `ob_readiness`;
