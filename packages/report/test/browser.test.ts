/**
 * Opens the report in headless Chromium (Debian's /usr/bin/chromium, installed by
 * scripts/install-chromium.sh) with playwright-core: every plot must render, with no console
 * error and no request leaving the file, at desktop width (1000 px) and at a phone's (390 px), where
 * the narrow plots must be shown with no text under 11 px. Full-page screenshots go to test/output/.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type BrowserContext, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderReport } from "../src/index.js";
import { analyzeLike, debertaCurves, derivedScores, stoppingStory } from "./fixtures.js";

const CHROMIUM = "/usr/bin/chromium";
const outDir = path.resolve(import.meta.dirname, "output");
const htmlPath = path.join(outDir, "report.html");
const desktopPng = path.join(outDir, "report.png");
const phonePng = path.join(outDir, "report-phone.png");

let ctx: BrowserContext | undefined;
let userDataDir: string | undefined;

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: run scripts/install-chromium.sh (as root) first`);
  const ys = derivedScores("deberta-v3-base_error_rate");
  const analysis = analyzeLike(ys, true, 0.11);
  const html = await renderReport({
    title: "DeBERTaV3-base on MultiNLI (matched error rate)",
    source: "shared/data/opda/derived_scores.json",
    metric: "error rate",
    analysis,
    learning_curves: debertaCurves(),
    list_vs_random: {
      name: "first 8 runs as a list",
      points: ys.slice(0, 8).map((score, i) => ({ index: i + 1, score })),
    },
    stopping: stoppingStory(),
  });
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(htmlPath, html);
  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "nadir-chromium-"));
  ctx = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1000, height: 900 },
  });
});

afterAll(async () => {
  await ctx?.close();
  if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
});

/** What one viewport shows: per figure, the visible SVG and its smallest text at its displayed size. */
interface PlotView {
  name: string | null;
  visible: string[];
  width: number;
  height: number;
  paths: number;
  texts: number;
  minFont: number;
}

async function inspect(width: number, png: string) {
  const page = await (ctx as BrowserContext).newPage();
  await page.setViewportSize({ width, height: 900 });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(`file://${htmlPath}`, { waitUntil: "load" });
  const plots: PlotView[] = await page.$$eval("figure.plot", (figs) =>
    figs.map((f) => {
      const shown = [...f.querySelectorAll("svg")].filter((s) => s.getBoundingClientRect().width > 0);
      const svg = shown[0];
      const box = svg?.getBoundingClientRect();
      // An SVG is drawn at `width` user units and displayed at box.width CSS px: its text shrinks
      // (or grows) by that ratio. The effective size is what the reader's eye gets.
      const scale = svg && box ? box.width / svg.width.baseVal.value : 0;
      const fonts = svg
        ? [...svg.querySelectorAll("text")]
            .filter((t) => (t.textContent ?? "").trim() !== "")
            .map((t) => Number.parseFloat(getComputedStyle(t).fontSize) * scale)
        : [];
      return {
        name: f.getAttribute("data-plot"),
        visible: shown.map((s) => s.getAttribute("data-layout") ?? "?"),
        width: box?.width ?? 0,
        height: box?.height ?? 0,
        paths: svg ? svg.querySelectorAll("path").length : 0,
        texts: fonts.length,
        minFont: fonts.length ? Math.min(...fonts) : 0,
      };
    }),
  );
  // Every visible piece of HTML text outside the plots (the embedded JSON is folded away).
  const minHtmlFont = await page.evaluate(() => {
    let min = Number.POSITIVE_INFINITY;
    for (const el of document.querySelectorAll("body *")) {
      if (el.closest("svg") || el.closest("details") || el.tagName === "SCRIPT" || el.tagName === "STYLE")
        continue;
      const own = [...el.childNodes].some((n) => n.nodeType === 3 && (n.textContent ?? "").trim() !== "");
      if (!own || el.getBoundingClientRect().width === 0) continue;
      min = Math.min(min, Number.parseFloat(getComputedStyle(el).fontSize));
    }
    return min;
  });
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  const cards = await page.$$eval(".card .big", (els) => els.map((e) => e.textContent ?? ""));
  const title = await page.title();
  await page.screenshot({ path: png, fullPage: true });
  await page.close();
  return { plots, minHtmlFont, scrollWidth, cards, title, problems, requests };
}

describe("report in headless Chromium", () => {
  it("desktop (1000 px): the wide plots, every one rendered, text ≥ 11 px, no console error, no outside request", async () => {
    const r = await inspect(1000, desktopPng);
    expect(r.plots.map((p) => p.name)).toEqual([
      "stopping",
      "tuning-curve",
      "cdf",
      "list-vs-random",
      "learning-curves",
    ]);
    for (const p of r.plots) {
      expect(p.visible, `${p.name} shown`).toEqual(["wide"]);
      expect(p.width, `${p.name} width`).toBeGreaterThan(700);
      expect(p.height, `${p.name} height`).toBeGreaterThan(250);
      expect(p.paths, `${p.name} paths`).toBeGreaterThan(5);
      expect(p.texts, `${p.name} axis labels`).toBeGreaterThan(10);
      expect(p.minFont, `${p.name} smallest text (px)`).toBeGreaterThanOrEqual(11);
    }
    expect(r.minHtmlFont).toBeGreaterThanOrEqual(11);
    expect(r.scrollWidth).toBeLessThanOrEqual(1000);
    expect(r.title).toBe("DeBERTaV3-base on MultiNLI (matched error rate)");
    expect(r.cards).toHaveLength(3);
    for (const c of r.cards) expect(c).toMatch(/\d/);
    expect(fs.statSync(desktopPng).size).toBeGreaterThan(50_000);
    expect(r.problems).toEqual([]);
    expect(r.requests.filter((u) => !u.startsWith("file://"))).toEqual([]);
  });

  it("phone (390 px): the narrow plots, shown at full size with text ≥ 11 px, nothing wider than the screen", async () => {
    const r = await inspect(390, phonePng);
    expect(r.plots.map((p) => p.name)).toEqual([
      "stopping",
      "tuning-curve",
      "cdf",
      "list-vs-random",
      "learning-curves",
    ]);
    for (const p of r.plots) {
      expect(p.visible, `${p.name} shown`).toEqual(["narrow"]);
      expect(p.width, `${p.name} width`).toBeGreaterThan(300);
      expect(p.width, `${p.name} width`).toBeLessThanOrEqual(390);
      expect(p.height, `${p.name} height`).toBeGreaterThan(250);
      expect(p.paths, `${p.name} paths`).toBeGreaterThan(5);
      expect(p.texts, `${p.name} axis labels`).toBeGreaterThan(10);
      expect(p.minFont, `${p.name} smallest text (px)`).toBeGreaterThanOrEqual(11);
    }
    expect(r.minHtmlFont).toBeGreaterThanOrEqual(11);
    // No sideways scrolling: tables scroll inside their own box.
    expect(r.scrollWidth).toBeLessThanOrEqual(390);
    expect(r.cards).toHaveLength(3);
    expect(r.problems).toEqual([]);
    expect(r.requests.filter((u) => !u.startsWith("file://"))).toEqual([]);
  });
});
