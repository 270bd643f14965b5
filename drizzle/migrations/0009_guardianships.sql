CREATE TYPE "public"."guardian_relation" AS ENUM('MOTHER', 'FATHER', 'OTHER');--> statement-breakpoint
CREATE TABLE "guardianships" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"child_id" uuid NOT NULL,
	"parent_id" uuid NOT NULL,
	"relation" "guardian_relation" DEFAULT 'OTHER' NOT NULL,
	"can_enroll" boolean DEFAULT true NOT NULL,
	"receives_alerts" boolean DEFAULT true NOT NULL,
	"can_pick_up" boolean DEFAULT true NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "guardianships_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "guardianships_child_parent_key" UNIQUE("tenant_id","child_id","parent_id")
);
--> statement-breakpoint
ALTER TABLE "guardianships" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "guardianships" ADD CONSTRAINT "guardianships_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "guardianships" ADD CONSTRAINT "guardianships_child_fk" FOREIGN KEY ("tenant_id","child_id") REFERENCES "public"."children"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "guardianships" ADD CONSTRAINT "guardianships_parent_fk" FOREIGN KEY ("tenant_id","parent_id") REFERENCES "public"."parents"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "guardianships_parent_idx" ON "guardianships" USING btree ("tenant_id","parent_id");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "guardianships" AS PERMISSIVE FOR ALL TO "roster_app", "roster_readonly" USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());--> statement-breakpoint
-- Every existing child's parent becomes its primary guardian, with every permission.
INSERT INTO "guardianships" ("tenant_id", "child_id", "parent_id")
SELECT "tenant_id", "id", "parent_id" FROM "children"
ON CONFLICT DO NOTHING;--> statement-breakpoint
-- A child is never without a guardian: inserting a child (addChild, the seed, an import) adds its
-- primary guardian's row, with every permission; changing parent_id (the primary) adds the new one's.
CREATE OR REPLACE FUNCTION children_primary_guardianship() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO guardianships (tenant_id, child_id, parent_id)
  VALUES (NEW.tenant_id, NEW.id, NEW.parent_id)
  ON CONFLICT (tenant_id, child_id, parent_id) DO NOTHING;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER children_primary_guardianship
  AFTER INSERT OR UPDATE OF parent_id ON children
  FOR EACH ROW EXECUTE FUNCTION children_primary_guardianship();
