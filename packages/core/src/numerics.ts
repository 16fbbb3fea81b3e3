/**
 * `@nadir/core/numerics`: the numerical building blocks behind the samplers and materialisation, exported
 * for cross-checks against other implementations: correctly rounded `exp` / `log` (so that log-scale
 * samples are identical on every platform), the Halton bases and digit scrambles of AlgoPerf's
 * `halton.py`, and Python's `repr` of a float.
 *
 * @module @nadir/core/numerics
 */

export { crExp, crLog } from "./crmath.js";
export { pyFloat } from "./materialize.js";
export { haltonBases, haltonScramble, oddPrimesBelow } from "./samplers.js";
