ALTER TABLE "attendance_events" ADD COLUMN "track_id" text;--> statement-breakpoint
ALTER TABLE "daily_status" ADD COLUMN "flags" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "unknown_faces" ADD COLUMN "kind" text DEFAULT 'unknown' NOT NULL;--> statement-breakpoint
ALTER TABLE "unknown_faces" ADD COLUMN "person_id" integer;--> statement-breakpoint
ALTER TABLE "unknown_faces" ADD COLUMN "similarity" real;--> statement-breakpoint
ALTER TABLE "unknown_faces" ADD COLUMN "track_id" text;--> statement-breakpoint
ALTER TABLE "unknown_faces" ADD CONSTRAINT "unknown_faces_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE set null ON UPDATE no action;