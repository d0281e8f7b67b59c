CREATE TABLE `registry_instances` (
	`id` text PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`url` text NOT NULL,
	`scheme` text NOT NULL,
	`host` text NOT NULL,
	`ip` text,
	`port` integer NOT NULL,
	`path` text DEFAULT '' NOT NULL,
	`deployment_id` text,
	`health_check_path` text,
	`status` text NOT NULL,
	`last_heartbeat` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `registry_instances_slug` ON `registry_instances` (`slug`);--> statement-breakpoint
CREATE INDEX `registry_instances_url` ON `registry_instances` (`url`);--> statement-breakpoint
CREATE TABLE `registry_nodes` (
	`id` text PRIMARY KEY NOT NULL,
	`url` text NOT NULL,
	`region` text DEFAULT '' NOT NULL,
	`availability_zone` text DEFAULT '' NOT NULL,
	`last_heartbeat` integer NOT NULL,
	`usage` text DEFAULT '{}' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `registry_nodes_url_unique` ON `registry_nodes` (`url`);--> statement-breakpoint
CREATE TABLE `user_api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`app_id` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`prefix` text NOT NULL,
	`key_hash` text NOT NULL,
	`active_organization_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`expires_at` integer,
	`last_used_at` integer,
	`revoked_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `user_users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `user_api_keys_key_hash_unique` ON `user_api_keys` (`key_hash`);--> statement-breakpoint
CREATE INDEX `user_api_keys_user` ON `user_api_keys` (`user_id`);--> statement-breakpoint
CREATE TABLE `user_apps` (
	`id` text PRIMARY KEY NOT NULL,
	`host` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `user_apps_host_unique` ON `user_apps` (`host`);--> statement-breakpoint
CREATE TABLE `user_contacts` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`platform` text DEFAULT '' NOT NULL,
	`verified` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `user_users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `user_contacts_user` ON `user_contacts` (`user_id`);--> statement-breakpoint
CREATE TABLE `user_enrolls` (
	`id` text PRIMARY KEY NOT NULL,
	`app_id` text NOT NULL,
	`role` text NOT NULL,
	`user_id` text,
	`contact_id` text,
	`created_by` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `user_users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `user_enrolls_user` ON `user_enrolls` (`user_id`);--> statement-breakpoint
CREATE INDEX `user_enrolls_contact` ON `user_enrolls` (`contact_id`);--> statement-breakpoint
CREATE INDEX `user_enrolls_role` ON `user_enrolls` (`role`);--> statement-breakpoint
CREATE TABLE `user_key_pairs` (
	`id` text PRIMARY KEY NOT NULL,
	`private_key` text NOT NULL,
	`public_key` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `user_memberships` (
	`id` text PRIMARY KEY NOT NULL,
	`app_id` text NOT NULL,
	`organization_id` text NOT NULL,
	`user_id` text NOT NULL,
	`status` text NOT NULL,
	`roles` text DEFAULT '[]' NOT NULL,
	`active` integer DEFAULT false NOT NULL,
	`invited_by` text,
	`accepted_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `user_organizations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `user_users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `user_memberships_org_user` ON `user_memberships` (`organization_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `user_memberships_user` ON `user_memberships` (`user_id`);--> statement-breakpoint
CREATE TABLE `user_organizations` (
	`id` text PRIMARY KEY NOT NULL,
	`app_id` text NOT NULL,
	`slug` text NOT NULL,
	`name` text NOT NULL,
	`thumbnail_file_id` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `user_organizations_app_slug` ON `user_organizations` (`app_id`,`slug`);--> statement-breakpoint
CREATE TABLE `user_passwords` (
	`user_id` text PRIMARY KEY NOT NULL,
	`hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `user_users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `user_permits` (
	`id` text PRIMARY KEY NOT NULL,
	`app_id` text NOT NULL,
	`permission` text NOT NULL,
	`slugs` text DEFAULT '[]' NOT NULL,
	`roles` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `user_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`app_id` text NOT NULL,
	`user_id` text NOT NULL,
	`device` text NOT NULL,
	`token` text NOT NULL,
	`active` integer NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`last_refreshed_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `user_users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `user_sessions_identity` ON `user_sessions` (`user_id`,`app_id`,`device`);--> statement-breakpoint
CREATE TABLE `user_users` (
	`id` text PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`thumbnail_file_id` text DEFAULT '' NOT NULL,
	`labels` text DEFAULT '{}' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `user_users_slug_unique` ON `user_users` (`slug`);