/**
 * protobufjs runtime settings that must be in force BEFORE the generated module is evaluated: the generated
 * code computes 64-bit field defaults at load time (`$util.Long ? Long.fromBits(0, 0) : 0`), so switching
 * Long off afterwards would leave every absent int64/uint64 field decoding as a Long object instead of 0.
 * `messages.ts` imports this module first; ES modules evaluate imports in order.
 */
import $protobuf from "protobufjs/minimal.js";

// 64-bit integer fields are plain JS numbers (the protocol keeps them below 2^53; see common.proto).
// This is process-wide for protobufjs/minimal; Nadir never needs Long.
($protobuf.util as { Long: unknown }).Long = null;
$protobuf.configure();
// Keep unknown fields (from a newer minor) on decoded messages so that re-encoding, relaying or journaling a
// message loses nothing, as the Python runtime does.
$protobuf.Reader.discardUnknown = false;
