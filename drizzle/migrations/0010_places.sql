CREATE TYPE "public"."course_waitlist_status" AS ENUM('WAITING', 'OFFERED', 'ACCEPTED', 'DECLINED', 'EXPIRED', 'CANCELLED');--> statement-breakpoint
CREATE TABLE "course_waitlist_entries" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"course_id" uuid NOT NULL,
	"requested_by" uuid NOT NULL,
	"size" integer NOT NULL,
	"status" "course_waitlist_status" DEFAULT 'WAITING' NOT NULL,
	"joined_at" timestamp (3) with time zone NOT NULL,
	"offered_at" timestamp (3) with time zone,
	"offer_expires_at" timestamp (3) with time zone,
	"closed_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "course_waitlist_entries_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "course_waitlist_entries_size" CHECK ("course_waitlist_entries"."size" BETWEEN 1 AND 10),
	CONSTRAINT "course_waitlist_entries_offer" CHECK ("course_waitlist_entries"."status" <> 'OFFERED' OR ("course_waitlist_entries"."offered_at" IS NOT NULL AND "course_waitlist_entries"."offer_expires_at" > "course_waitlist_entries"."offered_at"))
);
--> statement-breakpoint
ALTER TABLE "course_waitlist_entries" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "course_waitlist_participants" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"entry_id" uuid NOT NULL,
	"course_id" uuid NOT NULL,
	"student_id" uuid,
	"child_id" uuid,
	CONSTRAINT "course_waitlist_participants_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "course_waitlist_participants_student_key" UNIQUE("tenant_id","entry_id","student_id"),
	CONSTRAINT "course_waitlist_participants_child_key" UNIQUE("tenant_id","entry_id","child_id"),
	CONSTRAINT "course_waitlist_participants_one_participant" CHECK (num_nonnulls(student_id, child_id) = 1)
);
--> statement-breakpoint
ALTER TABLE "course_waitlist_participants" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "courses" ADD COLUMN "held_places" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "courses" ADD COLUMN "offer_hold_hours" integer DEFAULT 48 NOT NULL;--> statement-breakpoint
ALTER TABLE "course_waitlist_entries" ADD CONSTRAINT "course_waitlist_entries_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "course_waitlist_entries" ADD CONSTRAINT "course_waitlist_entries_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "course_waitlist_entries" ADD CONSTRAINT "course_waitlist_entries_course_fk" FOREIGN KEY ("tenant_id","course_id") REFERENCES "public"."courses"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "course_waitlist_participants" ADD CONSTRAINT "course_waitlist_participants_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "course_waitlist_participants" ADD CONSTRAINT "course_waitlist_participants_entry_fk" FOREIGN KEY ("tenant_id","entry_id") REFERENCES "public"."course_waitlist_entries"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "course_waitlist_participants" ADD CONSTRAINT "course_waitlist_participants_course_fk" FOREIGN KEY ("tenant_id","course_id") REFERENCES "public"."courses"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "course_waitlist_participants" ADD CONSTRAINT "course_waitlist_participants_student_fk" FOREIGN KEY ("tenant_id","student_id") REFERENCES "public"."students"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "course_waitlist_participants" ADD CONSTRAINT "course_waitlist_participants_child_fk" FOREIGN KEY ("tenant_id","child_id") REFERENCES "public"."children"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "course_waitlist_entries_line_idx" ON "course_waitlist_entries" USING btree ("tenant_id","course_id","status","joined_at");--> statement-breakpoint
CREATE INDEX "course_waitlist_entries_expiry_idx" ON "course_waitlist_entries" USING btree ("tenant_id","status","offer_expires_at");--> statement-breakpoint
CREATE INDEX "course_waitlist_entries_requested_by_idx" ON "course_waitlist_entries" USING btree ("requested_by");--> statement-breakpoint
CREATE INDEX "course_waitlist_participants_course_student_idx" ON "course_waitlist_participants" USING btree ("tenant_id","course_id","student_id");--> statement-breakpoint
CREATE INDEX "course_waitlist_participants_course_child_idx" ON "course_waitlist_participants" USING btree ("tenant_id","course_id","child_id");--> statement-breakpoint
ALTER TABLE "courses" ADD CONSTRAINT "courses_places_not_exceeded" CHECK ("courses"."held_places" >= 0 AND "courses"."active_enrollments" + "courses"."held_places" <= "courses"."capacity");--> statement-breakpoint
ALTER TABLE "courses" ADD CONSTRAINT "courses_offer_hold_hours" CHECK ("courses"."offer_hold_hours" BETWEEN 1 AND 720);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "course_waitlist_entries" AS PERMISSIVE FOR ALL TO "roster_app", "roster_readonly" USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "course_waitlist_participants" AS PERMISSIVE FOR ALL TO "roster_app", "roster_readonly" USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());--> statement-breakpoint
-- Places held by OFFERED waitlist entries, kept on the course row like active_enrollments
-- (0002_counters): the CHECK courses_places_not_exceeded then stops any overbooking, and every
-- offer, acceptance and approval of one course serialises on that row's lock.
CREATE OR REPLACE FUNCTION course_waitlist_count_held() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.status = NEW.status AND OLD.size = NEW.size THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'OFFERED' THEN
    UPDATE courses SET held_places = held_places - OLD.size
      WHERE tenant_id = OLD.tenant_id AND id = OLD.course_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'OFFERED' THEN
    UPDATE courses SET held_places = held_places + NEW.size
      WHERE tenant_id = NEW.tenant_id AND id = NEW.course_id;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER course_waitlist_count_held
  AFTER INSERT OR UPDATE OF status, size OR DELETE ON course_waitlist_entries
  FOR EACH ROW EXECUTE FUNCTION course_waitlist_count_held();
--> statement-breakpoint
CREATE TABLE "refund_policies" (
	"tenant_id" uuid NOT NULL,
	"course_id" uuid NOT NULL,
	"fee" numeric(12, 2) DEFAULT '0' NOT NULL,
	"tiers" jsonb NOT NULL,
	"updated_by" uuid,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "refund_policies_tenant_id_course_id_pk" PRIMARY KEY("tenant_id","course_id"),
	CONSTRAINT "refund_policies_fee_non_negative" CHECK ("refund_policies"."fee" >= 0),
	CONSTRAINT "refund_policies_tiers_array" CHECK (jsonb_typeof("refund_policies"."tiers") = 'array' AND jsonb_array_length("refund_policies"."tiers") BETWEEN 1 AND 10)
);
--> statement-breakpoint
ALTER TABLE "refund_policies" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "refund_policies" ADD CONSTRAINT "refund_policies_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refund_policies" ADD CONSTRAINT "refund_policies_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refund_policies" ADD CONSTRAINT "refund_policies_course_fk" FOREIGN KEY ("tenant_id","course_id") REFERENCES "public"."courses"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "refund_policies_updated_by_idx" ON "refund_policies" USING btree ("updated_by");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "refund_policies" AS PERMISSIVE FOR ALL TO "roster_app", "roster_readonly" USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());--> statement-breakpoint
CREATE TABLE "receipt_counters" (
	"tenant_id" uuid NOT NULL,
	"last_number" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "receipt_counters_tenant_id_pk" PRIMARY KEY("tenant_id"),
	CONSTRAINT "receipt_counters_non_negative" CHECK ("receipt_counters"."last_number" >= 0)
);
--> statement-breakpoint
ALTER TABLE "receipt_counters" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "receipts" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"number" integer NOT NULL,
	"kind" text NOT NULL,
	"payment_id" uuid NOT NULL,
	"refund_request_id" uuid,
	"amount" numeric(12, 2) NOT NULL,
	"currency" char(3) NOT NULL,
	"issued_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "receipts_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "receipts_number_key" UNIQUE("tenant_id","number"),
	CONSTRAINT "receipts_refund_key" UNIQUE("tenant_id","refund_request_id"),
	CONSTRAINT "receipts_kind" CHECK (("receipts"."kind" = 'PAYMENT' AND "receipts"."refund_request_id" IS NULL) OR ("receipts"."kind" = 'REFUND' AND "receipts"."refund_request_id" IS NOT NULL)),
	CONSTRAINT "receipts_number_positive" CHECK ("receipts"."number" > 0)
);
--> statement-breakpoint
ALTER TABLE "receipts" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "receipt_counters" ADD CONSTRAINT "receipt_counters_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "receipts" ADD CONSTRAINT "receipts_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "receipts" ADD CONSTRAINT "receipts_payment_fk" FOREIGN KEY ("tenant_id","payment_id") REFERENCES "public"."payments"("tenant_id","id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "receipts" ADD CONSTRAINT "receipts_refund_fk" FOREIGN KEY ("tenant_id","refund_request_id") REFERENCES "public"."refund_requests"("tenant_id","id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "receipts_payment_key" ON "receipts" USING btree ("tenant_id","payment_id") WHERE kind = 'PAYMENT';--> statement-breakpoint
CREATE INDEX "receipts_payment_idx" ON "receipts" USING btree ("tenant_id","payment_id");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "receipt_counters" AS PERMISSIVE FOR ALL TO "roster_app", "roster_readonly" USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "receipts" AS PERMISSIVE FOR ALL TO "roster_app", "roster_readonly" USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());