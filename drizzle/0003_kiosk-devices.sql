CREATE TABLE "kiosks" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"location" text DEFAULT '' NOT NULL,
	"token_hash" text,
	"pairing_hash" text,
	"pairing_expires_at" timestamp with time zone,
	"paired_at" timestamp with time zone,
	"last_seen_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "kiosks_name_unique" UNIQUE("name"),
	CONSTRAINT "kiosks_token_hash_unique" UNIQUE("token_hash"),
	CONSTRAINT "kiosks_pairing_hash_unique" UNIQUE("pairing_hash")
);
