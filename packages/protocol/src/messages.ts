/**
 * The generated protobuf classes, and the one runtime setting they need.
 *
 * The generated JavaScript lives in `src/gen/` and is not compiled by tsc (it is not TypeScript), so it is
 * imported through `../src/gen/`, a path that resolves to the same file from `src/*.ts` (tests) and from
 * `dist/*.js` (the build): no copy step is needed and a fresh clone builds with plain `tsc -b`.
 */
import $protobuf from "protobufjs/minimal.js";
import { nadir } from "../src/gen/nadir.js";

// 64-bit integer fields are plain JS numbers (the protocol keeps them below 2^53; see common.proto).
// Without this the runtime would decode them as Long objects although the generated types say `number`.
// This is process-wide for protobufjs/minimal; Nadir never needs Long.
($protobuf.util as { Long: unknown }).Long = null;
$protobuf.configure();
// Keep unknown fields (from a newer minor) on decoded messages so that re-encoding, relaying or journaling a
// message loses nothing, as the Python runtime does.
$protobuf.Reader.discardUnknown = false;

export { nadir };
/** The `nadir.v1` namespace: every message class and enum of protocol v1. */
export const v1 = nadir.v1;
