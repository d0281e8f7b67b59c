CREATE TABLE `edge_acme_accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`key_sealed` text NOT NULL,
	`url` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `edge_certificates` (
	`id` text PRIMARY KEY NOT NULL,
	`cert_pem` text NOT NULL,
	`key_sealed` text NOT NULL,
	`names` text DEFAULT '[]' NOT NULL,
	`not_before` integer NOT NULL,
	`not_after` integer NOT NULL,
	`source` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `edge_certificates_not_after` ON `edge_certificates` (`not_after`);--> statement-breakpoint
CREATE TABLE `edge_redirects` (
	`id` text PRIMARY KEY NOT NULL,
	`target` text NOT NULL,
	`status_code` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `edge_routes` (
	`id` text PRIMARY KEY NOT NULL,
	`target` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
