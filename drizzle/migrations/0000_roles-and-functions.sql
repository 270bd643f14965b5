-- Roles and helpers that row-level security is built on. Roles are cluster-wide,
-- so they are created only when missing (several databases may share a cluster).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'roster_app') THEN
    CREATE ROLE roster_app NOLOGIN NOINHERIT;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'roster_readonly') THEN
    CREATE ROLE roster_readonly NOLOGIN NOINHERIT;
  END IF;
END
$$;
--> statement-breakpoint
-- The connecting (owner) role switches to roster_app with SET LOCAL ROLE in every request.
DO $$
BEGIN
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE format('GRANT roster_app TO %I', current_user);
  END IF;
END
$$;
--> statement-breakpoint
-- The tenant and user of the current transaction, set with set_config(..., true).
-- An unset or reset setting reads as NULL, and NULL matches no row.
CREATE OR REPLACE FUNCTION app_tenant_id() RETURNS uuid
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION app_user_id() RETURNS uuid
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT nullif(current_setting('app.user_id', true), '')::uuid $$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO roster_app, roster_readonly;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION app_tenant_id(), app_user_id() TO roster_app, roster_readonly;
--> statement-breakpoint
-- Tables created by later migrations are reachable by the roles; row-level security decides the rows.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO roster_app;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO roster_readonly;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO roster_app;
