CREATE TYPE "public"."message_delivery_status" AS ENUM('QUEUED', 'SENDING', 'SENT', 'DELIVERED', 'FAILED', 'DEAD');--> statement-breakpoint
CREATE TABLE "message_deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid,
	"user_id" uuid,
	"notification_id" uuid,
	"channel" "verification_channel" NOT NULL,
	"destination" text NOT NULL,
	"kind" text NOT NULL,
	"language" "language" NOT NULL,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	"params" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"urgent" boolean DEFAULT false NOT NULL,
	"status" "message_delivery_status" DEFAULT 'QUEUED' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"locked_until" timestamp (3) with time zone,
	"provider" text,
	"provider_message_id" text,
	"last_error" text,
	"sent_at" timestamp (3) with time zone,
	"delivered_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "message_deliveries" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "message_deliveries" ADD CONSTRAINT "message_deliveries_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "message_deliveries" ADD CONSTRAINT "message_deliveries_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "message_deliveries_due_idx" ON "message_deliveries" USING btree ("next_attempt_at") WHERE status in ('QUEUED', 'SENDING');--> statement-breakpoint
CREATE INDEX "message_deliveries_tenant_idx" ON "message_deliveries" USING btree ("tenant_id","created_at","id");--> statement-breakpoint
CREATE INDEX "message_deliveries_user_idx" ON "message_deliveries" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "message_deliveries_provider_key" ON "message_deliveries" USING btree ("provider","provider_message_id");--> statement-breakpoint
CREATE POLICY "tenant_read" ON "message_deliveries" AS PERMISSIVE FOR SELECT TO "roster_app", "roster_readonly" USING (tenant_id = app_tenant_id());