#!/usr/bin/env node
// Measures DejaVu Sans advance widths (thousandths of an em) in Debian's headless Chromium, for the
// table in src/text-metrics.ts. Usage: node packages/report/scripts/measure-dejavu.mjs
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nadir-font-"));
const ctx = await chromium.launchPersistentContext(dir, {
  executablePath,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
});
try {
  const page = await ctx.newPage();
  await page.setContent("<canvas></canvas>");
  const chars = [];
  for (let c = 32; c < 127; c++) chars.push(String.fromCharCode(c));
  chars.push(..."−≥≤θ×…⁰¹²³⁴⁵⁶⁷⁸⁹⁻στ½±–—°·");
  const widths = await page.evaluate((cs) => {
    const g = document.querySelector("canvas").getContext("2d");
    const out = {};
    for (const w of ["normal", "bold"]) {
      g.font = `${w} 1000px "DejaVu Sans"`;
      out[w] = cs.map((ch) => Math.round(g.measureText(ch).width));
    }
    return out;
  }, chars);
  process.stdout.write(`${JSON.stringify({ chars: chars.join(""), ...widths })}\n`);
} finally {
  await ctx.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
