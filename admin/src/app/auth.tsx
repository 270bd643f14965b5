/**
 * Who is signed in, in which tenant, with which roles — and whether they may use
 * the back office at all (staff: ADMIN, STAFF or INSTRUCTOR in the active tenant).
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useMemo, useState, useSyncExternalStore, type ReactNode } from "react";
import { type ApiError, currentSession, onSessionChange, request, resumeSession, signOut, switchTenant, type Session } from "../api/client";
import { ViewerDocument, type Role, type ViewerQuery } from "../api/sdk";
import { makeFormats, useI18n, type Formats } from "../i18n";

export const STAFF_ROLES: Role[] = ["ADMIN", "STAFF", "INSTRUCTOR"];

export interface Access {
  session: Session;
  viewer: ViewerQuery["me"];
  tenants: ViewerQuery["myTenants"];
  roles: Role[];
  /** ADMIN or STAFF: the whole tenant. */
  isStaff: boolean;
  isAdmin: boolean;
  /** Only INSTRUCTOR: their own courses and registers. */
  instructorOnly: boolean;
  instructorId: string | null;
  formats: Formats;
}

type AuthState =
  | { status: "starting" }
  | { status: "signedOut"; refusal?: string }
  | { status: "loading" }
  | { status: "error"; error: ApiError }
  | { status: "ready"; access: Access };

const AuthContext = createContext<AuthState>({ status: "starting" });

export function useSession() {
  return useSyncExternalStore(onSessionChange, currentSession);
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const session = useSession();
  const [started, setStarted] = useState(false);
  const [startError, setStartError] = useState<ApiError | null>(null);
  const [refusal, setRefusal] = useState<string | undefined>();
  const queryClient = useQueryClient();
  const { locale, t } = useI18n();

  useEffect(() => {
    resumeSession()
      .catch((error: ApiError) => setStartError(error))
      .finally(() => setStarted(true));
  }, []);

  // A new session or tenant: nothing cached for the previous one may show.
  const key = session ? `${session.sessionId}:${session.tenant?.id ?? "-"}` : "none";
  useEffect(() => {
    queryClient.clear();
  }, [key, queryClient]);

  const viewer = useQuery({
    queryKey: ["viewer", key],
    queryFn: () => request(ViewerDocument),
    enabled: Boolean(session),
    staleTime: Infinity,
  });

  // Not staff in this tenant: move to a tenant where they are, or refuse.
  const data = viewer.data;
  const roles = data?.me.membership?.roles ?? [];
  const allowed = roles.some((role) => STAFF_ROLES.includes(role));
  useEffect(() => {
    if (!data || allowed) return;
    const elsewhere = data.myTenants.find(
      (membership) => membership.isActive && membership.roles.some((role) => STAFF_ROLES.includes(role)),
    );
    if (elsewhere) void switchTenant(elsewhere.tenant.id).catch(() => signOut());
    else {
      setRefusal(t("auth.notStaff"));
      void signOut();
    }
  }, [data, allowed, t]);

  const state = useMemo<AuthState>(() => {
    if (!started) return { status: "starting" };
    if (!session) return startError ? { status: "error", error: startError } : { status: "signedOut", refusal };
    if (viewer.error) return { status: "error", error: viewer.error as ApiError };
    if (!data || !allowed) return { status: "loading" };
    const tenant = data.me.membership?.tenant ?? session.tenant;
    const isAdmin = roles.includes("ADMIN");
    const isStaff = isAdmin || roles.includes("STAFF");
    return {
      status: "ready",
      access: {
        session,
        viewer: data.me,
        tenants: data.myTenants,
        roles,
        isStaff,
        isAdmin,
        instructorOnly: !isStaff,
        instructorId: data.me.instructorProfile?.id ?? null,
        formats: makeFormats(locale, tenant?.timeZone ?? "UTC"),
      },
    };
  }, [started, session, startError, refusal, viewer.error, data, allowed, roles, locale]);

  useEffect(() => {
    if (session) setRefusal(undefined);
  }, [session]);

  return <AuthContext.Provider value={state}>{children}</AuthContext.Provider>;
}

export const useAuthState = () => useContext(AuthContext);

/** The signed-in staff member's access (inside the app shell only). */
export function useAccess(): Access {
  const state = useContext(AuthContext);
  if (state.status !== "ready") throw new Error("useAccess outside the signed-in app");
  return state.access;
}
