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
CREATE POLICY "tenant_isolation" ON "refund_policies" AS PERMISSIVE FOR ALL TO "roster_app", "roster_readonly" USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());