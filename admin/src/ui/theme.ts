import { createTheme } from "@mantine/core";

export const theme = createTheme({
  primaryColor: "teal",
  // Darker shades keep text on light fills above 4.5:1 (axe: color-contrast).
  primaryShade: 9,
  fontFamily: "system-ui, -apple-system, 'Segoe UI', 'Noto Sans', 'Noto Sans Arabic', Tahoma, sans-serif",
  defaultRadius: "md",
});
