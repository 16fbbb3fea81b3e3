/**
 * The HTML building blocks every section of the report shares: a section panel, the "not available"
 * note, a table, a figure with its "How to read it" caption, and the wide + narrow rendering of a plot.
 */
import type { TopLevelSpec } from "vega-lite";
import { escapeHtml } from "./numbers.js";
import { renderSvg } from "./render.js";
import type { Layout } from "./theme.js";

/** A confidence as a percentage without trailing zeros: 0.8 → "80%", 0.975 → "97.5%". */
export const pctText = (c: number) => `${+(c * 100).toFixed(2)}%`;

/** The note a section shows instead of its content when its data is missing. */
export function notAvailable(why: string): string {
  return `<p class="na"><strong>Not available:</strong> ${escapeHtml(why)}</p>`;
}

/** One panel of the page; `body` is HTML, `title` is text (escaped here). */
export function section(id: string, title: string, body: string, extraClass = ""): string {
  return `<section id="${id}" class="panel${extraClass ? ` ${extraClass}` : ""}" data-section="${id}">\n<h2>${escapeHtml(title)}</h2>\n${body}\n</section>`;
}

/** A table in its own horizontally scrolling box; cells are HTML, header labels text (escaped here). */
export function tableRows(rows: string[][], head: string[]): string {
  return `<div class="table-wrap"><table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("")}</tbody></table></div>`;
}

/** A plot with its caption; `how` is HTML. */
export function figure(name: string, svg: string, how: string): string {
  return `<figure class="plot" data-plot="${name}">${svg}<figcaption><strong>How to read it.</strong> ${how}</figcaption></figure>`;
}

/**
 * Both renderings of one plot, wide (desktop) then narrow (phones); CSS shows one of them by the
 * viewport's width. Each keeps its own id prefix so their clip paths never clash.
 */
export async function renderBoth(
  name: string,
  specFor: (layout: Layout) => TopLevelSpec,
  idPrefix: string,
): Promise<string> {
  const wide = await renderSvg(name, specFor("wide"), idPrefix);
  const narrow = await renderSvg(name, specFor("narrow"), `${idPrefix}-n`);
  return (
    wide.replace(/^<svg/, '<svg data-layout="wide"') + narrow.replace(/^<svg/, '<svg data-layout="narrow"')
  );
}
