/** The theme's colours for charts, read from the CSS variables (theme.css) so charts follow light/dark. */

export interface ChartTheme {
  readonly fg: string;
  readonly muted: string;
  readonly grid: string;
  readonly held: string;
  readonly notHeld: string;
  readonly unknown: string;
  readonly wait: string;
  readonly window: string;
  readonly accent: string;
  readonly panel: string;
}

export function chartTheme(): ChartTheme {
  const s = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string): string => s.getPropertyValue(name).trim() || fallback;
  return {
    fg: v('--fg', '#1c1d1f'),
    muted: v('--muted', '#62666d'),
    grid: v('--grid', 'rgba(0,0,0,0.08)'),
    held: v('--held', '#1f8a4c'),
    notHeld: v('--not-held', '#c8332b'),
    unknown: v('--unknown', '#a07a00'),
    wait: v('--wait', '#e08a1e'),
    window: v('--window', '#7a5cd6'),
    accent: v('--accent', '#2f6fde'),
    panel: v('--panel', '#ffffff'),
  };
}
