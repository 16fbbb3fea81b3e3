#!/usr/bin/env node
import { exitCodeFor } from "./errors.js";
import { main } from "./main.js";

// `nadir ... | head` closes stdout early: the command still finishes its work (a run still writes its
// journal, results and report) instead of dying on EPIPE.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code !== "EPIPE") throw err;
});

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`nadir: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = exitCodeFor(err);
  },
);
