CREATE TABLE "registry_instances" (
	"id" text PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"url" text NOT NULL,
	"scheme" text NOT NULL,
	"host" text NOT NULL,
	"ip" text,
	"port" integer NOT NULL,
	"path" text DEFAULT '' NOT NULL,
	"deployment_id" text,
	"health_check_path" text,
	"status" text NOT NULL,
	"last_heartbeat" bigint,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "registry_nodes" (
	"id" text PRIMARY KEY NOT NULL,
	"url" text NOT NULL,
	"region" text DEFAULT '' NOT NULL,
	"availability_zone" text DEFAULT '' NOT NULL,
	"last_heartbeat" bigint NOT NULL,
	"usage" text DEFAULT '{}' NOT NULL,
	CONSTRAINT "registry_nodes_url_unique" UNIQUE("url")
);
--> statement-breakpoint
CREATE TABLE "user_api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"app_id" text NOT NULL,
	"name" text DEFAULT '' NOT NULL,
	"prefix" text NOT NULL,
	"key_hash" text NOT NULL,
	"active_organization_id" text,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"expires_at" bigint,
	"last_used_at" bigint,
	"revoked_at" bigint,
	CONSTRAINT "user_api_keys_key_hash_unique" UNIQUE("key_hash")
);
--> statement-breakpoint
CREATE TABLE "user_apps" (
	"id" text PRIMARY KEY NOT NULL,
	"host" text NOT NULL,
	"created_at" bigint NOT NULL,
	CONSTRAINT "user_apps_host_unique" UNIQUE("host")
);
--> statement-breakpoint
CREATE TABLE "user_contacts" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"platform" text DEFAULT '' NOT NULL,
	"verified" boolean DEFAULT false NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "user_enrolls" (
	"id" text PRIMARY KEY NOT NULL,
	"app_id" text NOT NULL,
	"role" text NOT NULL,
	"user_id" text,
	"contact_id" text,
	"created_by" text,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "user_key_pairs" (
	"id" text PRIMARY KEY NOT NULL,
	"private_key" text NOT NULL,
	"public_key" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "user_memberships" (
	"id" text PRIMARY KEY NOT NULL,
	"app_id" text NOT NULL,
	"organization_id" text NOT NULL,
	"user_id" text NOT NULL,
	"status" text NOT NULL,
	"roles" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"active" boolean DEFAULT false NOT NULL,
	"invited_by" text,
	"accepted_at" bigint,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "user_organizations" (
	"id" text PRIMARY KEY NOT NULL,
	"app_id" text NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"thumbnail_file_id" text DEFAULT '' NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "user_passwords" (
	"user_id" text PRIMARY KEY NOT NULL,
	"hash" text NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "user_permits" (
	"id" text PRIMARY KEY NOT NULL,
	"app_id" text NOT NULL,
	"permission" text NOT NULL,
	"slugs" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"roles" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "user_sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"app_id" text NOT NULL,
	"user_id" text NOT NULL,
	"device" text NOT NULL,
	"token" text NOT NULL,
	"active" boolean NOT NULL,
	"created_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL,
	"last_refreshed_at" bigint
);
--> statement-breakpoint
CREATE TABLE "user_users" (
	"id" text PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"name" text DEFAULT '' NOT NULL,
	"thumbnail_file_id" text DEFAULT '' NOT NULL,
	"labels" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	CONSTRAINT "user_users_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
ALTER TABLE "user_api_keys" ADD CONSTRAINT "user_api_keys_user_id_user_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user_users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_contacts" ADD CONSTRAINT "user_contacts_user_id_user_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user_users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_enrolls" ADD CONSTRAINT "user_enrolls_user_id_user_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user_users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_memberships" ADD CONSTRAINT "user_memberships_organization_id_user_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."user_organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_memberships" ADD CONSTRAINT "user_memberships_user_id_user_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user_users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_passwords" ADD CONSTRAINT "user_passwords_user_id_user_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user_users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_sessions" ADD CONSTRAINT "user_sessions_user_id_user_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user_users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "registry_instances_slug" ON "registry_instances" USING btree ("slug");--> statement-breakpoint
CREATE INDEX "registry_instances_url" ON "registry_instances" USING btree ("url");--> statement-breakpoint
CREATE INDEX "user_api_keys_user" ON "user_api_keys" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "user_contacts_user" ON "user_contacts" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "user_enrolls_user" ON "user_enrolls" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "user_enrolls_contact" ON "user_enrolls" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "user_enrolls_role" ON "user_enrolls" USING btree ("role");--> statement-breakpoint
CREATE UNIQUE INDEX "user_memberships_org_user" ON "user_memberships" USING btree ("organization_id","user_id");--> statement-breakpoint
CREATE INDEX "user_memberships_user" ON "user_memberships" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "user_organizations_app_slug" ON "user_organizations" USING btree ("app_id","slug");--> statement-breakpoint
CREATE INDEX "user_sessions_identity" ON "user_sessions" USING btree ("user_id","app_id","device");