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

/** Plot size in CSS pixels; the page is laid out for this width. */
export const PLOT_WIDTH = 700;
export const PLOT_HEIGHT = 300;

export const VL_CONFIG = {
  font: FONT,
  background: "white",
  padding: 8,
  view: { stroke: null },
  axis: {
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: 600,
    titleColor: "#25303b",
    labelColor: "#3d4852",
    gridColor: "#e8ebee",
    domainColor: "#8a949e",
    tickColor: "#8a949e",
    titlePadding: 8,
  },
  legend: {
    orient: "bottom",
    direction: "horizontal",
    labelFontSize: 11,
    titleFontSize: 11,
    labelLimit: 320,
    columns: 2,
    symbolType: "stroke",
    symbolOpacity: 1,
    symbolStrokeWidth: 3,
    symbolSize: 220,
    columnPadding: 24,
  },
  title: { fontSize: 13, fontWeight: 600, anchor: "start", color: "#25303b" },
} as const;
