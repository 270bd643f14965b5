ALTER TYPE "public"."cron_run_status" RENAME TO "job_run_status";--> statement-breakpoint
ALTER TABLE "attendance_cron_logs" RENAME TO "job_runs";--> statement-breakpoint
ALTER TABLE "job_runs" DROP CONSTRAINT "attendance_cron_logs_window_key";--> statement-breakpoint
ALTER TABLE "job_runs" DROP CONSTRAINT "attendance_cron_logs_tenant_id_tenants_id_fk";
--> statement-breakpoint
ALTER TABLE "job_runs" DROP CONSTRAINT "attendance_cron_logs_tenant_id_id_pk";--> statement-breakpoint
ALTER TABLE "job_runs" ADD CONSTRAINT "job_runs_tenant_id_id_pk" PRIMARY KEY("tenant_id","id");--> statement-breakpoint
ALTER TABLE "job_runs" ADD CONSTRAINT "job_runs_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "job_runs" ADD CONSTRAINT "job_runs_window_key" UNIQUE("tenant_id","job","window_key");