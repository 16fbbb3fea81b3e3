#!/usr/bin/env node
// Renders a report in Debian's headless Chromium and writes a PNG (used for the screenshot in the root
// README). Usage: node packages/report/scripts/screenshot.mjs <report.html> <out.png> [width] [max-height] [scale]
// (width and max-height in CSS px; scale = device pixels per CSS px, e.g. 2 for a phone's screen).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const [html, png, width = "1100", maxHeight = "2600", scale = "1"] = process.argv.slice(2);
if (!html || !png) {
  process.stderr.write("usage: screenshot.mjs <report.html> <out.png> [width] [max-height] [scale]\n");
  process.exit(2);
}
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
if (!fs.existsSync(executablePath)) {
  process.stderr.write(`${executablePath} is missing: run scripts/install-chromium.sh first\n`);
  process.exit(1);
}
const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "nadir-shot-"));
const ctx = await chromium.launchPersistentContext(userDataDir, {
  executablePath,
  headless: true,
  // Without the background-networking flags Chromium keeps trying to reach Google's hosts.
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
  viewport: { width: Number(width), height: 900 },
  deviceScaleFactor: Number(scale),
});
try {
  const page = await ctx.newPage();
  await page.goto(pathToFileURL(path.resolve(html)).href);
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.screenshot({
    path: png,
    fullPage: true,
    clip: { x: 0, y: 0, width: Number(width), height: Math.min(height, Number(maxHeight)) },
  });
  process.stdout.write(`wrote ${png}\n`);
} finally {
  await ctx.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}
