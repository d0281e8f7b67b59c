CREATE TABLE "edge_acme_accounts" (
	"id" text PRIMARY KEY NOT NULL,
	"key_sealed" text NOT NULL,
	"url" text,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "edge_certificates" (
	"id" text PRIMARY KEY NOT NULL,
	"cert_pem" text NOT NULL,
	"key_sealed" text NOT NULL,
	"names" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"not_before" bigint NOT NULL,
	"not_after" bigint NOT NULL,
	"source" text NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "edge_redirects" (
	"id" text PRIMARY KEY NOT NULL,
	"target" text NOT NULL,
	"status_code" integer NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "edge_routes" (
	"id" text PRIMARY KEY NOT NULL,
	"target" text NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "edge_certificates_not_after" ON "edge_certificates" USING btree ("not_after");