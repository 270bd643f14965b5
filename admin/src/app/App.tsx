import { AppShell, Burger, Button, Group, Menu, NavLink, ScrollArea, Select, Text, Title, UnstyledButton } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { lazy, Suspense, useState, type ComponentType } from "react";
import { Link, Route, Routes, useLocation } from "react-router";
import { signOut, switchTenant } from "../api/client";
import { LANGUAGES, useI18n, type Language, type MessageKey } from "../i18n";
import { SignIn } from "../screens/SignIn";
import { ErrorAlert, Loading } from "../ui/states";
import { personName } from "../ui/format";
import { STAFF_ROLES, useAccess, useAuthState, type Access } from "./auth";

const Today = lazy(() => import("../screens/Today"));
const Catalogue = lazy(() => import("../screens/Catalogue"));
const Enrolment = lazy(() => import("../screens/Enrolment"));
const Attendance = lazy(() => import("../screens/Attendance"));
const Money = lazy(() => import("../screens/Money"));
const People = lazy(() => import("../screens/People"));
const Events = lazy(() => import("../screens/Events"));
const Audit = lazy(() => import("../screens/Audit"));
const Explorer = lazy(() => import("../screens/Explorer"));
const Sessions = lazy(() => import("../screens/Sessions"));

interface Screen {
  path: string;
  label: MessageKey;
  element: ComponentType;
  /** Who sees it; the API enforces the same. */
  visible: (access: Access) => boolean;
}

const everyone = () => true;
const staffOnly = (access: Access) => access.isStaff;

export const SCREENS: Screen[] = [
  { path: "/", label: "nav.today", element: Today, visible: everyone },
  { path: "/catalogue", label: "nav.catalogue", element: Catalogue, visible: everyone },
  { path: "/enrolment", label: "nav.enrolment", element: Enrolment, visible: everyone },
  { path: "/attendance", label: "nav.attendance", element: Attendance, visible: everyone },
  { path: "/money", label: "nav.money", element: Money, visible: staffOnly },
  { path: "/people", label: "nav.people", element: People, visible: staffOnly },
  { path: "/events", label: "nav.events", element: Events, visible: everyone },
  { path: "/audit", label: "nav.audit", element: Audit, visible: staffOnly },
  { path: "/explorer", label: "nav.explorer", element: Explorer, visible: everyone },
  { path: "/sessions", label: "nav.sessions", element: Sessions, visible: everyone },
];

export function App() {
  const state = useAuthState();
  const { t } = useI18n();
  if (state.status === "starting" || state.status === "loading") return <Loading />;
  if (state.status === "signedOut") return <SignIn refusal={state.refusal} />;
  if (state.status === "error")
    return (
      <main style={{ maxWidth: 480, margin: "4rem auto", padding: 16 }}>
        <Title order={1} size="h3" mb="md">
          {t("app.name")}
        </Title>
        <ErrorAlert error={state.error} onRetry={() => location.reload()} />
      </main>
    );
  return <Shell />;
}

function LanguageSelect() {
  const { t, language, setLanguage } = useI18n();
  return (
    <Select
      aria-label={t("app.language")}
      data={LANGUAGES}
      value={language}
      onChange={(value) => value && setLanguage(value as Language)}
      allowDeselect={false}
      w={130}
      size="xs"
      comboboxProps={{ withinPortal: true }}
    />
  );
}

function TenantSwitch() {
  const access = useAccess();
  const { t } = useI18n();
  const [error, setError] = useState<unknown>(null);
  const options = access.tenants
    .filter((membership) => membership.isActive && membership.roles.some((role) => STAFF_ROLES.includes(role)))
    .map((membership) => ({ value: membership.tenant.id, label: membership.tenant.name }));
  const current = access.viewer.membership?.tenant;
  if (options.length < 2) return <Text fw={600}>{current?.name}</Text>;
  return (
    <>
      <Select
        aria-label={t("app.tenant")}
        data={options}
        value={current?.id ?? null}
        allowDeselect={false}
        size="xs"
        w={220}
        onChange={(value) => value && value !== current?.id && void switchTenant(value).catch(setError)}
      />
      {error ? <ErrorAlert error={error} /> : null}
    </>
  );
}

function Shell() {
  const access = useAccess();
  const { t } = useI18n();
  const [opened, { toggle, close }] = useDisclosure();
  const location = useLocation();
  const screens = SCREENS.filter((screen) => screen.visible(access));
  const isActive = (path: string) => (path === "/" ? location.pathname === "/" : location.pathname.startsWith(path));
  return (
    <AppShell header={{ height: 60 }} navbar={{ width: 230, breakpoint: "sm", collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t("app.menu")} />
            <Title order={1} size="h4">
              {t("app.name")}
            </Title>
            <TenantSwitch />
          </Group>
          <Group gap="sm" wrap="nowrap">
            <LanguageSelect />
            <Menu position="bottom-end">
              <Menu.Target>
                <UnstyledButton aria-label={t("app.account")} px="xs">
                  <Text size="sm" fw={500}>
                    {personName(access.viewer)}
                  </Text>
                </UnstyledButton>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Item component={Link} to="/sessions">
                  {t("nav.sessions")}
                </Menu.Item>
                <Menu.Item color="red" onClick={() => void signOut()}>
                  {t("auth.signOut")}
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label={t("app.navigation")}>
        <ScrollArea>
          <nav>
            {screens.map((screen) => (
              <NavLink
                key={screen.path}
                component={Link}
                to={screen.path}
                label={t(screen.label)}
                active={isActive(screen.path)}
                variant="filled"
                aria-current={isActive(screen.path) ? "page" : undefined}
                onClick={close}
              />
            ))}
          </nav>
          <Button variant="subtle" color="red" fullWidth mt="md" onClick={() => void signOut()}>
            {t("auth.signOut")}
          </Button>
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main>
        <main>
          <Suspense fallback={<Loading />}>
            <Routes>
              {screens.map((screen) => (
                <Route key={screen.path} path={screen.path === "/" ? "/" : `${screen.path}/*`} element={<screen.element />} />
              ))}
              <Route path="*" element={<ErrorAlert error={new Error("not found")} />} />
            </Routes>
          </Suspense>
        </main>
      </AppShell.Main>
    </AppShell>
  );
}
