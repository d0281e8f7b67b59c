CREATE TABLE "user_otps" (
	"id" text PRIMARY KEY NOT NULL,
	"contact_id" text NOT NULL,
	"platform" text NOT NULL,
	"code_hash" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"created_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL,
	"used_at" bigint
);
--> statement-breakpoint
CREATE INDEX "user_otps_expires_at" ON "user_otps" USING btree ("expires_at");