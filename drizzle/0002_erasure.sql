CREATE TABLE "erasures" (
	"id" serial PRIMARY KEY NOT NULL,
	"pseudonym" text NOT NULL,
	"person_id" integer NOT NULL,
	"erased_at" timestamp with time zone DEFAULT now() NOT NULL,
	"erased_by" text,
	"counts" jsonb NOT NULL,
	"files_queued" integer NOT NULL,
	"files_done_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "file_queue" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"store" text NOT NULL,
	"path" text NOT NULL,
	"pending" boolean DEFAULT false NOT NULL,
	"erasure_id" integer,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "file_queue_erasure_idx" ON "file_queue" USING btree ("erasure_id");