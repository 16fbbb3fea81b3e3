/**
 * One palette and one vega-lite config for every plot, so that a colour means the same thing
 * throughout the report: blue = what the data say (random search), orange = the fitted law,
 * green = the list, grey = context.
 */
export const COLORS = {
  data: "#1f6fb4",
  band: "#7fb0dd",
  fit: "#d4571c",
  fitBand: "#f0a47e",
  list: "#1d8a4a",
  muted: "#9aa5b1",
  rule: "#5b6570",
  // Trial colours avoid blue/orange/green, which already mean data/fit/list.
  highlight: ["#7b3fa0", "#0f8b8d", "#c2185b", "#8d6e1f", "#37474f"],
} as const;

export const FONT = "DejaVu Sans, Helvetica, Arial, sans-serif";

/**
 * The two renderings of every plot. The page shows `wide` on desktop and `narrow` below
 * NARROW_BREAKPOINT (CSS media query): an SVG shrunk to a phone's width would scale its text down
 * with it (700 px of plot at 390 px of screen leaves ~4 px axis text), so the narrow one is drawn
 * for ~340 CSS px and shown at that size, with 12 px text. `width`/`height` are the plot area.
 */
export type Layout = "wide" | "narrow";

/** Viewport width (CSS px) below which the narrow plots are shown. */
export const NARROW_BREAKPOINT = 820;

/** Plot area size in CSS pixels per layout; the page is laid out for the wide width. */
export const PLOT_SIZE: Record<Layout, { width: number; height: number }> = {
  wide: { width: 680, height: 300 },
  narrow: { width: 270, height: 220 },
};

/** Smallest font size used in any plot (CSS px at the size the plot is drawn). */
export const MIN_PLOT_FONT = 12;

function vlConfig(layout: Layout) {
  const narrow = layout === "narrow";
  return {
    font: FONT,
    background: "white",
    padding: narrow ? 4 : 8,
    view: { stroke: null },
    axis: {
      labelFontSize: MIN_PLOT_FONT,
      titleFontSize: MIN_PLOT_FONT + 1,
      titleFontWeight: 600,
      titleColor: "#25303b",
      labelColor: "#3d4852",
      gridColor: "#e8ebee",
      domainColor: "#8a949e",
      tickColor: "#8a949e",
      titlePadding: narrow ? 4 : 8,
      labelOverlap: "greedy",
    },
    legend: {
      orient: "bottom",
      direction: "horizontal",
      labelFontSize: MIN_PLOT_FONT,
      titleFontSize: MIN_PLOT_FONT,
      labelLimit: narrow ? 230 : 320,
      columns: narrow ? 1 : 2,
      symbolType: "stroke",
      symbolOpacity: 1,
      symbolStrokeWidth: 3,
      symbolSize: narrow ? 160 : 220,
      columnPadding: 24,
      rowPadding: narrow ? 3 : 4,
    },
    title: { fontSize: MIN_PLOT_FONT + 1, fontWeight: 600, anchor: "start", color: "#25303b" },
  } as const;
}

export const VL_CONFIG: Record<Layout, ReturnType<typeof vlConfig>> = {
  wide: vlConfig("wide"),
  narrow: vlConfig("narrow"),
};
