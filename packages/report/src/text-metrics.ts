/**
 * Text widths for vega's layout in Node. Without a canvas vega estimates every character at 0.8 em,
 * which for DejaVu Sans (about 0.55 em a character) makes each axis title look ~45 % too long: the
 * plot gets padded around text that is not there, and a phone-width plot ends up ~50 px wider than
 * its drawing. vega lets the user replace `textMetrics.width` (as vl-convert does); this one sums
 * the advance widths of DejaVu Sans, the report's first font, measured in Chromium at 1000 px for
 * the characters the report writes (scripts/measure-dejavu.mjs). Helvetica and Arial, the fallbacks, are narrower, so text never
 * runs past the room made for it. Unknown characters count as 0.75 em.
 */
import * as vega from "vega";

const CHARS =
  " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\u2212\u2265\u2264\u03b8\u00d7\u2026\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079\u207b\u03c3\u03c4\u00bd\u00b1\u2013\u2014\u00b0\u00b7";
/** Advance widths in thousandths of an em, in the order of CHARS. */
const REGULAR = [
  318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636, 636, 636,
  636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632, 575, 775, 752, 295,
  295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390, 838,
  500, 500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521,
  392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838, 838, 838, 838, 612, 838, 1000, 401, 401, 401, 401,
  401, 401, 401, 401, 401, 401, 528, 634, 602, 969, 838, 500, 1000, 500, 318,
];
const BOLD = [
  348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696, 696, 696, 696,
  696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 580, 1000, 774, 762, 734, 830, 683, 683, 821, 837, 372,
  372, 775, 637, 995, 837, 850, 733, 850, 770, 720, 682, 812, 774, 1103, 771, 724, 725, 457, 365, 457, 838,
  500, 500, 675, 716, 593, 716, 678, 435, 716, 712, 343, 343, 665, 343, 1042, 712, 687, 716, 716, 493, 595,
  478, 712, 652, 924, 645, 652, 582, 712, 365, 712, 838, 838, 838, 838, 687, 838, 1000, 438, 438, 438, 438,
  438, 438, 438, 438, 438, 438, 528, 779, 638, 1035, 838, 500, 1000, 500, 380,
];
const UNKNOWN_EM = 0.75;

const regular = new Map<string, number>();
const bold = new Map<string, number>();
for (const [i, ch] of [...CHARS].entries()) {
  regular.set(ch, (REGULAR[i] as number) / 1000);
  bold.set(ch, (BOLD[i] as number) / 1000);
}

/** Width in CSS px of `text` in DejaVu Sans at `fontSize` px (bold when `isBold`). */
export function dejaVuWidth(text: string, fontSize: number, isBold = false): number {
  const table = isBold ? bold : regular;
  let em = 0;
  for (const ch of text) em += table.get(ch) ?? UNKNOWN_EM;
  return em * fontSize;
}

interface TextItem {
  fontSize?: number;
  limit?: number;
  fontWeight?: number | string;
  text?: unknown;
}

function isBoldWeight(w: number | string | undefined): boolean {
  if (w === undefined) return false;
  if (typeof w === "number") return w >= 600;
  return w === "bold" || w === "bolder" || Number(w) >= 600;
}

let installed = false;

/** Makes vega measure text with dejaVuWidth (once per process; vega's text metrics are global). */
export function installTextMetrics(): void {
  if (installed) return;
  const metrics = (vega as unknown as { textMetrics: { width: (item: TextItem, text?: unknown) => number } })
    .textMetrics;
  metrics.width = (item: TextItem, text?: unknown) => {
    const t = text ?? item.text;
    const s = Array.isArray(t)
      ? t.map(String).reduce((a, b) => (a.length >= b.length ? a : b), "")
      : String(t ?? "");
    const w = dejaVuWidth(s, item.fontSize ?? 11, isBoldWeight(item.fontWeight));
    // vega's own measures truncate to `limit` first (an axis label cut to "covertype-long-…"); a
    // user-defined one is handed the whole text, also by vega's truncation search itself, so
    // capping at the limit (not truncating, which would recurse) gives both the right bounds and
    // the right cut.
    return item.limit !== undefined && item.limit > 0 ? Math.min(w, item.limit) : w;
  };
  installed = true;
}
