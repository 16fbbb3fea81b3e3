/**
 * @nadir/protocol: the Nadir trial-exchange protocol v1 for TypeScript. Generated message classes
 * (`nadir.v1.*`, `v1.*`), envelope framing with typed errors and size limits, version negotiation, and
 * the JSON Schemas of the user-facing study files. Knows bytes and schemas, never sockets.
 */

export * from "./convert.js";
export * from "./errors.js";
export * from "./framing.js";
export * from "./key-proof.js";
export { nadir, v1 } from "./messages.js";
export * from "./schema.js";
export * from "./version.js";
