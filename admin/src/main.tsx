import "@mantine/core/styles.css";
import "./ui/theme.css";
import { DirectionProvider, MantineProvider } from "@mantine/core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { ApiError } from "./api/client";
import { App } from "./app/App";
import { AuthProvider } from "./app/auth";
import { I18nProvider } from "./i18n";
import { theme } from "./ui/theme";

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      // Typed refusals (FORBIDDEN, NOT_FOUND, BAD_USER_INPUT) do not get better by asking again.
      retry: (count, error) =>
        count < 2 && error instanceof ApiError && (error.code === "NETWORK" || error.code === "INTERNAL_SERVER_ERROR"),
      refetchOnWindowFocus: false,
    },
  },
});

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <DirectionProvider initialDirection={document.documentElement.dir === "ltr" ? "ltr" : "rtl"} detectDirection>
      <MantineProvider theme={theme}>
        <QueryClientProvider client={queryClient}>
          <I18nProvider>
            <AuthProvider>
              <BrowserRouter basename="/admin">
                <App />
              </BrowserRouter>
            </AuthProvider>
          </I18nProvider>
        </QueryClientProvider>
      </MantineProvider>
    </DirectionProvider>
  </StrictMode>,
);
