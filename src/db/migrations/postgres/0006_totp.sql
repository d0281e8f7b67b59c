CREATE TABLE "user_totps" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"sealed_secret" text NOT NULL,
	"issuer" text NOT NULL,
	"account_name" text NOT NULL,
	"enabled" boolean NOT NULL,
	"last_step" bigint,
	"created_at" bigint NOT NULL,
	"enabled_at" bigint
);
--> statement-breakpoint
ALTER TABLE "user_totps" ADD CONSTRAINT "user_totps_user_id_user_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user_users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "user_totps_user" ON "user_totps" USING btree ("user_id","enabled");