CREATE TYPE "public"."calendar_feed_scope" AS ENUM('PERSON', 'COURSE');--> statement-breakpoint
CREATE TABLE "calendar_feeds" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"scope" "calendar_feed_scope" NOT NULL,
	"course_id" uuid,
	"token_hash" text NOT NULL,
	"last_fetched_at" timestamp (3) with time zone,
	"revoked_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "calendar_feeds_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "calendar_feeds_token_hash_key" UNIQUE("tenant_id","token_hash"),
	CONSTRAINT "calendar_feeds_course_scope" CHECK (("calendar_feeds"."scope" = 'COURSE') = ("calendar_feeds"."course_id" IS NOT NULL))
);
--> statement-breakpoint
ALTER TABLE "calendar_feeds" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "lectures" ADD COLUMN "calendar_sequence" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "calendar_sequence" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "calendar_feeds" ADD CONSTRAINT "calendar_feeds_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "calendar_feeds" ADD CONSTRAINT "calendar_feeds_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "calendar_feeds" ADD CONSTRAINT "calendar_feeds_course_fk" FOREIGN KEY ("tenant_id","course_id") REFERENCES "public"."courses"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "calendar_feeds_user_idx" ON "calendar_feeds" USING btree ("tenant_id","user_id");--> statement-breakpoint
CREATE INDEX "calendar_feeds_user_fk_idx" ON "calendar_feeds" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "calendar_feeds_course_idx" ON "calendar_feeds" USING btree ("tenant_id","course_id");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "calendar_feeds" AS PERMISSIVE FOR ALL TO "roster_app", "roster_readonly" USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());--> statement-breakpoint
-- iCal SEQUENCE (RFC 5545 §3.8.7.4): a calendar client replaces its copy of a lecture
-- or event only when the sequence grows, so every change a calendar shows bumps it,
-- whichever service (or job) made the change.
CREATE OR REPLACE FUNCTION lectures_bump_calendar_sequence() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF (OLD.date, OLD.start_time, OLD.duration_minutes, OLD.title, OLD.status)
     IS DISTINCT FROM (NEW.date, NEW.start_time, NEW.duration_minutes, NEW.title, NEW.status) THEN
    NEW.calendar_sequence := OLD.calendar_sequence + 1;
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER lectures_bump_calendar_sequence
  BEFORE UPDATE ON lectures
  FOR EACH ROW EXECUTE FUNCTION lectures_bump_calendar_sequence();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION events_bump_calendar_sequence() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  -- A draft is in no calendar: its edits and its publication start nothing over.
  IF OLD.status <> 'DRAFT'
     AND (OLD.starts_at, OLD.ends_at, OLD.title, OLD.location, OLD.status)
     IS DISTINCT FROM (NEW.starts_at, NEW.ends_at, NEW.title, NEW.location, NEW.status) THEN
    NEW.calendar_sequence := OLD.calendar_sequence + 1;
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER events_bump_calendar_sequence
  BEFORE UPDATE ON events
  FOR EACH ROW EXECUTE FUNCTION events_bump_calendar_sequence();
