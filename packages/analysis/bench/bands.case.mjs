#!/usr/bin/env node
// One timed confidenceBands call in a fresh process (cold: includes JIT warm-up; nothing cached),
// for bands.bench.mjs. Usage: node bands.case.mjs <ys.json> <method> <confidence>
// Prints JSON: seconds (wall), cpu_seconds (user + system), peak RSS of this process (MB), the critical value.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const A = await import(path.resolve(here, "../dist/index.js"));
const [ysPath, method, conf] = process.argv.slice(2);
const ys = JSON.parse(readFileSync(ysPath, "utf8"));
const t = performance.now();
const c = process.cpuUsage();
const bands = A.confidenceBands(ys, Number(conf), { a: 0, b: 1, method });
const seconds = (performance.now() - t) / 1000;
const cu = process.cpuUsage(c);
const cpuSeconds = (cu.user + cu.system) / 1e6;
// maxRSS is in kilobytes (libuv getrusage).
console.log(
  JSON.stringify({
    seconds,
    cpu_seconds: cpuSeconds,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
    critical_value: bands.criticalValue,
  }),
);
