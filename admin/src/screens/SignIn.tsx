import { Alert, Button, Group, Paper, PasswordInput, Select, Stack, Text, TextInput, Title } from "@mantine/core";
import { useState, type FormEvent } from "react";
import { signIn } from "../api/client";
import { LANGUAGES, useI18n, type Language } from "../i18n";
import { ErrorAlert } from "../ui/states";

/** Sign in with a phone number (international format) or an email address. */
export function SignIn({ refusal }: { refusal?: string }) {
  const { t, language, setLanguage } = useI18n();
  const [identifier, setIdentifier] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      await signIn(identifier, password);
    } catch (caught) {
      setError(caught);
    } finally {
      setPending(false);
    }
  };

  return (
    <main style={{ maxWidth: 420, margin: "6vh auto", padding: 16 }}>
      <Group justify="space-between" mb="lg">
        <Title order={1} size="h2">
          {t("app.name")}
        </Title>
        <Select
          aria-label={t("app.language")}
          data={LANGUAGES}
          value={language}
          allowDeselect={false}
          w={130}
          size="xs"
          onChange={(value) => value && setLanguage(value as Language)}
        />
      </Group>
      <Paper withBorder p="lg">
        <form onSubmit={submit} noValidate>
          <Stack>
            <Title order={2} size="h4">
              {t("auth.title")}
            </Title>
            <Text size="sm" c="gray.7">
              {t("auth.hint")}
            </Text>
            {refusal && (
              <Alert color="red" role="alert">
                {refusal}
              </Alert>
            )}
            <TextInput
              label={t("auth.identifier")}
              name="identifier"
              autoComplete="username"
              required
              value={identifier}
              onChange={(event) => setIdentifier(event.currentTarget.value)}
            />
            <PasswordInput
              label={t("auth.password")}
              name="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(event) => setPassword(event.currentTarget.value)}
            />
            <ErrorAlert error={error} />
            <Button type="submit" loading={pending} disabled={!identifier || !password}>
              {t("auth.signIn")}
            </Button>
          </Stack>
        </form>
      </Paper>
    </main>
  );
}
