-- Denormalised counters kept by triggers, so that capacity is a CHECK constraint on
-- the parent row: concurrent enrolments or registrations serialise on that row's
-- lock and the one that would overbook fails, whichever instance it came from.
CREATE OR REPLACE FUNCTION enrollments_count_active() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.status = NEW.status AND OLD.course_id = NEW.course_id THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'ACTIVE' THEN
    UPDATE courses SET active_enrollments = active_enrollments - 1
      WHERE tenant_id = OLD.tenant_id AND id = OLD.course_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'ACTIVE' THEN
    UPDATE courses SET active_enrollments = active_enrollments + 1
      WHERE tenant_id = NEW.tenant_id AND id = NEW.course_id;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER enrollments_count_active
  AFTER INSERT OR UPDATE OF status, course_id OR DELETE ON enrollments
  FOR EACH ROW EXECUTE FUNCTION enrollments_count_active();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION event_registrations_count_confirmed() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.status = NEW.status AND OLD.event_id = NEW.event_id THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'CONFIRMED' THEN
    UPDATE events SET confirmed_count = confirmed_count - 1
      WHERE tenant_id = OLD.tenant_id AND id = OLD.event_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'CONFIRMED' THEN
    UPDATE events SET confirmed_count = confirmed_count + 1
      WHERE tenant_id = NEW.tenant_id AND id = NEW.event_id;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER event_registrations_count_confirmed
  AFTER INSERT OR UPDATE OF status, event_id OR DELETE ON event_registrations
  FOR EACH ROW EXECUTE FUNCTION event_registrations_count_confirmed();
