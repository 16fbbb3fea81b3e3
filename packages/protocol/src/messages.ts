/**
 * The generated protobuf classes, and the one runtime setting they need.
 *
 * The generated JavaScript lives in `src/gen/` and is not compiled by tsc (it is not TypeScript), so it is
 * imported through `../src/gen/`, a path that resolves to the same file from `src/*.ts` (tests) and from
 * `dist/*.js` (the build): no copy step is needed and a fresh clone builds with plain `tsc -b`.
 */
// Must come first: it configures the runtime before the generated module computes its defaults.
import "./runtime.js";
import { nadir } from "../src/gen/nadir.js";

export { nadir };
/** The `nadir.v1` namespace: every message class and enum of protocol v1. */
export const v1 = nadir.v1;
