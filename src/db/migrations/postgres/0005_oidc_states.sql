CREATE TABLE "user_oidc_states" (
	"id" text PRIMARY KEY NOT NULL,
	"expires_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "user_oidc_states_expires_at" ON "user_oidc_states" USING btree ("expires_at");