/**
 * Opens the report in headless Chromium (Debian's /usr/bin/chromium, installed by
 * scripts/install-chromium.sh) with playwright-core: every plot must render, with no console
 * error and no request leaving the file. A full-page screenshot is written to test/output/.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type BrowserContext, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderReport } from "../src/index.js";
import { analyzeLike, debertaCurves, derivedScores } from "./fixtures.js";

const CHROMIUM = "/usr/bin/chromium";
const outDir = path.resolve(import.meta.dirname, "output");
const htmlPath = path.join(outDir, "report.html");
const pngPath = path.join(outDir, "report.png");

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

describe("report in headless Chromium", () => {
  it("renders every plot with no console error and no outside request; writes a screenshot", async () => {
    const page = await (ctx as BrowserContext).newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    page.on("request", (r) => requests.push(r.url()));
    await page.goto(`file://${htmlPath}`, { waitUntil: "load" });

    const plots = await page.$$eval("figure.plot", (figs) =>
      figs.map((f) => {
        const svg = f.querySelector("svg");
        const box = svg?.getBoundingClientRect();
        return {
          name: f.getAttribute("data-plot"),
          width: box?.width ?? 0,
          height: box?.height ?? 0,
          paths: svg ? svg.querySelectorAll("path").length : 0,
          texts: svg ? svg.querySelectorAll("text").length : 0,
        };
      }),
    );
    expect(plots.map((p) => p.name)).toEqual(["tuning-curve", "cdf", "list-vs-random", "learning-curves"]);
    for (const p of plots) {
      expect(p.width, `${p.name} width`).toBeGreaterThan(400);
      expect(p.height, `${p.name} height`).toBeGreaterThan(250);
      expect(p.paths, `${p.name} paths`).toBeGreaterThan(5);
      expect(p.texts, `${p.name} axis labels`).toBeGreaterThan(10);
    }
    // The headline cards are visible with their numbers.
    const cards = await page.$$eval(".card .big", (els) => els.map((e) => e.textContent ?? ""));
    expect(cards).toHaveLength(3);
    for (const c of cards) expect(c).toMatch(/\d/);

    await page.screenshot({ path: pngPath, fullPage: true });
    expect(fs.statSync(pngPath).size).toBeGreaterThan(50_000);
    expect(problems).toEqual([]);
    expect(requests.filter((u) => !u.startsWith("file://"))).toEqual([]);
    await page.close();
  });
});
