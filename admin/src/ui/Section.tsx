import { Card, Group, Title } from "@mantine/core";
import type { ReactNode } from "react";

/** A titled card: one block of a screen. */
export function Section({ title, actions, children }: { title: ReactNode; actions?: ReactNode; children: ReactNode }) {
  return (
    <Card withBorder padding="md" component="section">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4">
          {title}
        </Title>
        {actions}
      </Group>
      {children}
    </Card>
  );
}
