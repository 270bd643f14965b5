CREATE TABLE "notification_preferences" (
	"tenant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"channels" "verification_channel"[] NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notification_preferences_tenant_id_user_id_kind_pk" PRIMARY KEY("tenant_id","user_id","kind")
);
--> statement-breakpoint
ALTER TABLE "notification_preferences" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "notification_quiet_hours" (
	"tenant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"starts_at" time NOT NULL,
	"ends_at" time NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notification_quiet_hours_tenant_id_user_id_pk" PRIMARY KEY("tenant_id","user_id"),
	CONSTRAINT "notification_quiet_hours_not_empty" CHECK ("notification_quiet_hours"."starts_at" <> "notification_quiet_hours"."ends_at")
);
--> statement-breakpoint
ALTER TABLE "notification_quiet_hours" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "notification_settings" (
	"tenant_id" uuid NOT NULL,
	"enabled_channels" "verification_channel"[] DEFAULT '{SMS,WHATSAPP,EMAIL}'::verification_channel[] NOT NULL,
	"absence_alert_after" integer DEFAULT 2 NOT NULL,
	"reminder_lead_minutes" integer DEFAULT 120 NOT NULL,
	"fees_due_days" integer DEFAULT 3 NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notification_settings_tenant_id_pk" PRIMARY KEY("tenant_id"),
	CONSTRAINT "notification_settings_absence_after" CHECK ("notification_settings"."absence_alert_after" BETWEEN 1 AND 30),
	CONSTRAINT "notification_settings_reminder_lead" CHECK ("notification_settings"."reminder_lead_minutes" BETWEEN 15 AND 10080),
	CONSTRAINT "notification_settings_fees_due_days" CHECK ("notification_settings"."fees_due_days" BETWEEN 0 AND 60)
);
--> statement-breakpoint
ALTER TABLE "notification_settings" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "notifications_sent" (
	"tenant_id" uuid NOT NULL,
	"key" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notifications_sent_tenant_id_key_pk" PRIMARY KEY("tenant_id","key")
);
--> statement-breakpoint
ALTER TABLE "notifications_sent" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "notification_preferences" ADD CONSTRAINT "notification_preferences_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_preferences" ADD CONSTRAINT "notification_preferences_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_quiet_hours" ADD CONSTRAINT "notification_quiet_hours_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_quiet_hours" ADD CONSTRAINT "notification_quiet_hours_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_settings" ADD CONSTRAINT "notification_settings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications_sent" ADD CONSTRAINT "notifications_sent_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "notification_preferences_user_fk_idx" ON "notification_preferences" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "notification_quiet_hours_user_fk_idx" ON "notification_quiet_hours" USING btree ("user_id");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "notification_preferences" AS PERMISSIVE FOR ALL TO "roster_app", "roster_readonly" USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "notification_quiet_hours" AS PERMISSIVE FOR ALL TO "roster_app", "roster_readonly" USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "notification_settings" AS PERMISSIVE FOR ALL TO "roster_app", "roster_readonly" USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "notifications_sent" AS PERMISSIVE FOR ALL TO "roster_app", "roster_readonly" USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());