/**
 * `GET /calendar/<token>.ics`: a calendar feed (RFC 5545) for calendar apps, which
 * send no credentials: the secret token in the URL is the credential
 * (server/services/calendar-feeds.ts). A token that is unknown, revoked or
 * malformed answers the same 404. Rate limited per address like GraphQL.
 *
 * Each lecture and event is one VEVENT with a stable UID, SEQUENCE bumped by the
 * database whenever its time, title or status changes, STATUS:CANCELLED once
 * cancelled, and DTSTART/DTEND with the tenant's TZID (and its VTIMEZONE).
 */
import { TZDate } from "@date-fns/tz";
import { getVtimezoneComponent } from "@touch4it/ical-timezones";
import { Router } from "express";
import { ICalCalendar, ICalCalendarMethod, ICalEventStatus } from "ical-generator";
import type { AppDeps } from "../app-deps";
import { withRequestContext } from "../context";
import { notFound } from "../errors";
import { consume } from "../rate-limits";
import { currentRequest } from "../request-store";
import { loadTenant } from "../tenancy";
import { readCalendarFeed, tenantOfFeedToken, type FeedContent } from "../services/calendar-feeds";
import { clientIp } from "./client-ip";

const FILE = /^(.+)\.ics$/;

export function calendarRoutes(app: AppDeps): Router {
  const router = Router();
  router.get("/calendar/:file", async (req, res) => {
    await consume(app.rateLimits.apiPerIp, clientIp(req));
    const token = FILE.exec(req.params.file ?? "")?.[1] ?? "";
    const tenantId = tenantOfFeedToken(token);
    // Tenants are public rows: read outside any scope, like X-Tenant's.
    const tenant = tenantId ? await loadTenant(app, app.database.db, { id: tenantId }) : null;
    const content = tenant?.isActive
      ? await withRequestContext(
          app,
          {
            requestId: currentRequest()?.requestId ?? String(res.getHeader("x-request-id") ?? ""),
            credentials: { kind: "none" },
            tenantSlug: tenant.slug,
            ip: clientIp(req),
            userAgent: req.header("user-agent") ?? null,
          },
          (ctx) => readCalendarFeed(ctx, token),
        )
      : null;
    // One answer for every token that is not a live feed's (never "revoked" vs "unknown").
    if (!content) throw notFound("calendar", "feed");
    res.set({ "content-type": "text/calendar; charset=utf-8", "cache-control": "private, max-age=300" });
    res.send(render(content));
  });
  return router;
}

function render(content: FeedContent): string {
  const calendar = new ICalCalendar({
    name: content.name,
    prodId: { company: "Roster", product: "Roster", language: "EN" },
    method: ICalCalendarMethod.PUBLISH,
    ttl: 60 * 60,
  });
  // No calendar-wide zone: DTSTAMP and LAST-MODIFIED stay UTC (…Z); each event names the
  // tenant's TZID, and the generator adds that zone's VTIMEZONE once.
  calendar.timezone({ name: null, generator: getVtimezoneComponent });
  const stamp = new Date();
  for (const item of content.items) {
    calendar.createEvent({
      id: item.uid,
      sequence: item.sequence,
      // ical-generator writes a TZDate's wall time in its zone (a plain Date would be read in the process's zone).
      start: new TZDate(item.start.getTime(), content.timeZone),
      end: new TZDate(item.end.getTime(), content.timeZone),
      timezone: content.timeZone,
      stamp,
      lastModified: item.lastModified,
      summary: item.summary,
      description: item.description,
      location: item.location,
      status: item.cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    });
  }
  return calendar.toString();
}
