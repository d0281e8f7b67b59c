CREATE TABLE "user_oidc_tokens" (
	"id" text PRIMARY KEY NOT NULL,
	"expires_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "user_oidc_tokens_expires_at" ON "user_oidc_tokens" USING btree ("expires_at");