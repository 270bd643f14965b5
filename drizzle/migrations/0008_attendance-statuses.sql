CREATE TYPE "public"."attendance_status" AS ENUM('PRESENT', 'ABSENT', 'LATE', 'EXCUSED');--> statement-breakpoint
CREATE TYPE "public"."excuse_status" AS ENUM('PENDING', 'ACCEPTED', 'REJECTED');--> statement-breakpoint
CREATE TYPE "public"."sync_outcome" AS ENUM('APPLIED', 'OVERRIDDEN');--> statement-breakpoint
ALTER TYPE "public"."attendance_source" ADD VALUE 'CHECK_IN';--> statement-breakpoint
ALTER TYPE "public"."attendance_source" ADD VALUE 'SELF_CHECK_IN';--> statement-breakpoint
CREATE TABLE "absence_excuses" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"lecture_id" uuid NOT NULL,
	"student_id" uuid,
	"child_id" uuid,
	"reason" text NOT NULL,
	"status" "excuse_status" DEFAULT 'PENDING' NOT NULL,
	"submitted_by" uuid NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp (3) with time zone,
	"decision_note" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "absence_excuses_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "absence_excuses_student_key" UNIQUE("tenant_id","lecture_id","student_id"),
	CONSTRAINT "absence_excuses_child_key" UNIQUE("tenant_id","lecture_id","child_id"),
	CONSTRAINT "absence_excuses_one_participant" CHECK (num_nonnulls(student_id, child_id) = 1),
	CONSTRAINT "absence_excuses_reason" CHECK (length("absence_excuses"."reason") BETWEEN 1 AND 1000),
	CONSTRAINT "absence_excuses_decided" CHECK (("absence_excuses"."status" = 'PENDING') = ("absence_excuses"."decided_at" IS NULL))
);
--> statement-breakpoint
ALTER TABLE "absence_excuses" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "attendance_settings" (
	"tenant_id" uuid NOT NULL,
	"late_weight" numeric(3, 2) DEFAULT '1.00' NOT NULL,
	"late_grace_minutes" integer DEFAULT 10 NOT NULL,
	"self_check_in" boolean DEFAULT false NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "attendance_settings_tenant_id_pk" PRIMARY KEY("tenant_id"),
	CONSTRAINT "attendance_settings_late_weight" CHECK ("attendance_settings"."late_weight" BETWEEN 0 AND 1),
	CONSTRAINT "attendance_settings_grace" CHECK ("attendance_settings"."late_grace_minutes" BETWEEN 0 AND 120)
);
--> statement-breakpoint
ALTER TABLE "attendance_settings" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "attendance_sync_marks" (
	"tenant_id" uuid NOT NULL,
	"client_mark_id" uuid NOT NULL,
	"lecture_id" uuid NOT NULL,
	"student_id" uuid,
	"child_id" uuid,
	"status" "attendance_status" NOT NULL,
	"marked_at" timestamp (3) with time zone NOT NULL,
	"device_id" uuid,
	"user_id" uuid,
	"outcome" "sync_outcome" NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "attendance_sync_marks_tenant_id_client_mark_id_pk" PRIMARY KEY("tenant_id","client_mark_id"),
	CONSTRAINT "attendance_sync_marks_one_participant" CHECK (num_nonnulls(student_id, child_id) = 1)
);
--> statement-breakpoint
ALTER TABLE "attendance_sync_marks" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "check_in_tokens" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"student_id" uuid,
	"child_id" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "check_in_tokens_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "check_in_tokens_student_key" UNIQUE("tenant_id","student_id"),
	CONSTRAINT "check_in_tokens_child_key" UNIQUE("tenant_id","child_id"),
	CONSTRAINT "check_in_tokens_one_participant" CHECK (num_nonnulls(student_id, child_id) = 1),
	CONSTRAINT "check_in_tokens_version" CHECK ("check_in_tokens"."version" >= 1)
);
--> statement-breakpoint
ALTER TABLE "check_in_tokens" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "lecture_attendance" DROP CONSTRAINT "lecture_attendance_rating";--> statement-breakpoint
ALTER TABLE "lecture_attendance" ADD COLUMN "status" "attendance_status";--> statement-breakpoint
UPDATE "lecture_attendance" SET "status" = CASE WHEN "present" THEN 'PRESENT'::attendance_status ELSE 'ABSENT'::attendance_status END;--> statement-breakpoint
ALTER TABLE "lecture_attendance" ALTER COLUMN "status" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "lecture_attendance" drop column "present";--> statement-breakpoint
ALTER TABLE "lecture_attendance" ADD COLUMN "present" boolean GENERATED ALWAYS AS (status IN ('PRESENT', 'LATE')) STORED NOT NULL;--> statement-breakpoint
ALTER TABLE "lecture_attendance" ADD COLUMN "minutes_late" integer;--> statement-breakpoint
ALTER TABLE "lecture_attendance" ADD COLUMN "reason" text;--> statement-breakpoint
ALTER TABLE "absence_excuses" ADD CONSTRAINT "absence_excuses_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "absence_excuses" ADD CONSTRAINT "absence_excuses_submitted_by_users_id_fk" FOREIGN KEY ("submitted_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "absence_excuses" ADD CONSTRAINT "absence_excuses_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "absence_excuses" ADD CONSTRAINT "absence_excuses_lecture_fk" FOREIGN KEY ("tenant_id","lecture_id") REFERENCES "public"."lectures"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "absence_excuses" ADD CONSTRAINT "absence_excuses_student_fk" FOREIGN KEY ("tenant_id","student_id") REFERENCES "public"."students"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "absence_excuses" ADD CONSTRAINT "absence_excuses_child_fk" FOREIGN KEY ("tenant_id","child_id") REFERENCES "public"."children"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attendance_settings" ADD CONSTRAINT "attendance_settings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attendance_sync_marks" ADD CONSTRAINT "attendance_sync_marks_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attendance_sync_marks" ADD CONSTRAINT "attendance_sync_marks_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attendance_sync_marks" ADD CONSTRAINT "attendance_sync_marks_lecture_fk" FOREIGN KEY ("tenant_id","lecture_id") REFERENCES "public"."lectures"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attendance_sync_marks" ADD CONSTRAINT "attendance_sync_marks_student_fk" FOREIGN KEY ("tenant_id","student_id") REFERENCES "public"."students"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attendance_sync_marks" ADD CONSTRAINT "attendance_sync_marks_child_fk" FOREIGN KEY ("tenant_id","child_id") REFERENCES "public"."children"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attendance_sync_marks" ADD CONSTRAINT "attendance_sync_marks_device_fk" FOREIGN KEY ("tenant_id","device_id") REFERENCES "public"."devices"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "check_in_tokens" ADD CONSTRAINT "check_in_tokens_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "check_in_tokens" ADD CONSTRAINT "check_in_tokens_student_fk" FOREIGN KEY ("tenant_id","student_id") REFERENCES "public"."students"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "check_in_tokens" ADD CONSTRAINT "check_in_tokens_child_fk" FOREIGN KEY ("tenant_id","child_id") REFERENCES "public"."children"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "absence_excuses_student_idx" ON "absence_excuses" USING btree ("tenant_id","student_id");--> statement-breakpoint
CREATE INDEX "absence_excuses_child_idx" ON "absence_excuses" USING btree ("tenant_id","child_id");--> statement-breakpoint
CREATE INDEX "absence_excuses_status_idx" ON "absence_excuses" USING btree ("tenant_id","status");--> statement-breakpoint
CREATE INDEX "absence_excuses_submitted_by_idx" ON "absence_excuses" USING btree ("submitted_by");--> statement-breakpoint
CREATE INDEX "absence_excuses_decided_by_idx" ON "absence_excuses" USING btree ("decided_by");--> statement-breakpoint
CREATE INDEX "attendance_sync_marks_lecture_idx" ON "attendance_sync_marks" USING btree ("tenant_id","lecture_id");--> statement-breakpoint
CREATE INDEX "attendance_sync_marks_student_idx" ON "attendance_sync_marks" USING btree ("tenant_id","student_id");--> statement-breakpoint
CREATE INDEX "attendance_sync_marks_child_idx" ON "attendance_sync_marks" USING btree ("tenant_id","child_id");--> statement-breakpoint
CREATE INDEX "attendance_sync_marks_device_idx" ON "attendance_sync_marks" USING btree ("tenant_id","device_id");--> statement-breakpoint
CREATE INDEX "attendance_sync_marks_user_idx" ON "attendance_sync_marks" USING btree ("user_id");--> statement-breakpoint
ALTER TABLE "lecture_attendance" ADD CONSTRAINT "lecture_attendance_minutes_late" CHECK (("lecture_attendance"."status" = 'LATE' AND "lecture_attendance"."minutes_late" BETWEEN 1 AND 1440) OR ("lecture_attendance"."status" <> 'LATE' AND "lecture_attendance"."minutes_late" IS NULL));--> statement-breakpoint
ALTER TABLE "lecture_attendance" ADD CONSTRAINT "lecture_attendance_reason" CHECK ("lecture_attendance"."reason" IS NULL OR ("lecture_attendance"."status" = 'EXCUSED' AND length("lecture_attendance"."reason") <= 1000));--> statement-breakpoint
ALTER TABLE "lecture_attendance" ADD CONSTRAINT "lecture_attendance_rating" CHECK ("lecture_attendance"."rating" IS NULL OR ("lecture_attendance"."status" IN ('PRESENT', 'LATE') AND "lecture_attendance"."rating" BETWEEN 1.00 AND 10.00));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "absence_excuses" AS PERMISSIVE FOR ALL TO "roster_app", "roster_readonly" USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "attendance_settings" AS PERMISSIVE FOR ALL TO "roster_app", "roster_readonly" USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "attendance_sync_marks" AS PERMISSIVE FOR ALL TO "roster_app", "roster_readonly" USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "check_in_tokens" AS PERMISSIVE FOR ALL TO "roster_app", "roster_readonly" USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());