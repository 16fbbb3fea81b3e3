/**
 * vega-lite spec → vega → SVG string, on the server. The SVG is inlined in the HTML, so the page
 * needs no script and no network at view time.
 */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { ReportRenderError } from "./errors.js";
import { installTextMetrics } from "./text-metrics.js";

installTextMetrics();

/**
 * A vega loader that refuses every load: all data is inline (`data.values`), and a spec that
 * tried to fetch a URL or read a file would make the report depend on something outside it.
 */
const refusingLoader = {
  ...vega.loader(),
  load: (uri: string) => Promise.reject(new Error(`external resource refused: ${uri}`)),
  sanitize: (uri: string) => Promise.reject(new Error(`external resource refused: ${uri}`)),
  http: (uri: string) => Promise.reject(new Error(`external resource refused: ${uri}`)),
  file: (uri: string) => Promise.reject(new Error(`external resource refused: ${uri}`)),
} as unknown as ReturnType<typeof vega.loader>;

/**
 * Renders one vega-lite spec to an SVG string (vega's headless `renderer: "none"` + `toSVG`).
 * Element ids inside the SVG (clip paths, gradients) are prefixed with `idPrefix` so that several
 * SVGs inlined in one page never reference each other's definitions.
 * @throws ReportRenderError when vega-lite or vega rejects the spec
 */
export async function renderSvg(name: string, spec: TopLevelSpec, idPrefix: string): Promise<string> {
  let view: vega.View | undefined;
  try {
    const compiled = compile(spec).spec;
    view = new vega.View(vega.parse(compiled), { renderer: "none", loader: refusingLoader });
    const svg = await view.toSVG();
    return prefixIds(roundPathData(svg), idPrefix);
  } catch (err) {
    throw new ReportRenderError(name, err);
  } finally {
    view?.finalize();
  }
}

/** Rewrites `id="x"`, `url(#x)` and `href="#x"` to use `prefix-x`. */
export function prefixIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_m, id: string) => `id="${prefix}-${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_m, id: string) => `url(#${prefix}-${id})`)
    .replace(/href="#([^"]+)"/g, (_m, id: string) => `href="#${prefix}-${id}"`);
}

/**
 * Rounds the coordinates in path data (`d="…"`) to 0.1 CSS px. vega writes three decimals; a tenth
 * of a pixel is below what any screen shows (0.3 device px at 3× density), and the shorter numbers
 * keep a report with both a desktop and a phone rendering of every plot about a third smaller.
 */
export function roundPathData(svg: string): string {
  return svg.replace(/\bd="([^"]*)"/g, (_m, d: string) => {
    const r = d.replace(/-?\d*\.\d{2,}/g, (n) => {
      const v = Math.round(Number(n) * 10) / 10;
      return String(Object.is(v, -0) ? 0 : v);
    });
    return `d="${r}"`;
  });
}
