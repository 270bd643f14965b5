import { Stack, Text, Title } from "@mantine/core";
import { lazy, Suspense } from "react";
import { useI18n } from "../i18n";
import { Loading } from "../ui/states";

// GraphiQL (with Monaco) is big: loaded only when this page opens, from this server.
const GraphiQLPanel = lazy(() => import("./GraphiQLPanel"));

/** GraphiQL served from local assets: explores the API offline, as the signed-in user. */
export default function Explorer() {
  const { t } = useI18n();
  return (
    <Stack>
      <Title order={1} size="h2">
        {t("nav.explorer")}
      </Title>
      <Text size="sm" c="gray.7">
        {t("explorer.hint")}
      </Text>
      <div dir="ltr" style={{ height: "calc(100vh - 200px)", minHeight: 480, border: "1px solid var(--mantine-color-gray-3)" }}>
        <Suspense fallback={<Loading />}>
          <GraphiQLPanel />
        </Suspense>
      </div>
    </Stack>
  );
}
