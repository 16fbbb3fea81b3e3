/**
 * The wire shell's peer table and the Hello key proof, as units: ids are freed when a connection renames
 * itself (a Hello flood on one connection keeps one id), attempts move between holders, and the key proof
 * agrees with libzmq's key derivation and with the Python implementation's vector.
 */
import { curvePublicKey, helloKeyProof } from "@nadir/protocol";
import { describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import type { TrialState } from "../src/state/book.js";
import { connectionPrincipal, type Peer, PeerTable } from "../src/wire/peers.js";

function peer(n: number): Peer {
  const routingId = Buffer.from([0, n >> 24, (n >> 16) & 255, (n >> 8) & 255, n & 255]);
  return {
    key: routingId.toString("latin1"),
    routingId,
    peerId: "",
    role: 1,
    capacity: 1,
    workloads: [],
    running: new Set(),
    lastSeen: 0,
    algorithms: [],
    draining: false,
    principal: connectionPrincipal(routingId),
    curveKey: "",
  };
}

describe("peer table", () => {
  it("keeps one id per connection however often it says Hello under a new one", () => {
    const table = new PeerTable();
    const p = peer(1);
    for (let i = 0; i < 50_000; i++) table.register(p, `flood-${i}`);
    expect(table.size).toBe(1);
    expect(table.idCount).toBe(1);
    expect(table.withId("flood-49999")).toBe(p);
    expect(table.withId("flood-0")).toBeUndefined();
  });

  it("moves an attempt to its new holder, and forgets it when it stops running", () => {
    const table = new PeerTable();
    const [a, b] = [peer(1), peer(2)];
    table.register(a, "w");
    const t = { id: 1 } as TrialState;
    table.bind(t, a);
    table.bind(t, b);
    expect(table.holder(t)).toBe(b);
    expect(a.running.size).toBe(0);
    expect(b.running.has(t)).toBe(true);
    table.unbind(t);
    expect(table.holder(t)).toBeUndefined();
    expect(b.running.size).toBe(0);
    // Dropping a connection hands back what it held and frees its id.
    table.bind(t, a);
    expect(table.drop(a)).toEqual([t]);
    expect(table.withId("w")).toBeUndefined();
  });
});

describe("Hello key proof", () => {
  it("derives the public key libzmq derives, and both sides compute the same proof", () => {
    for (let i = 0; i < 5; i++) {
      const client = zmq.curveKeyPair();
      const server = zmq.curveKeyPair();
      expect(curvePublicKey(client.secretKey)).toBe(client.publicKey);
      const fromClient = helloKeyProof(client.secretKey, server.publicKey, "w1");
      expect(helloKeyProof(server.secretKey, client.publicKey, "w1").equals(fromClient)).toBe(true);
      expect(helloKeyProof(server.secretKey, client.publicKey, "w2").equals(fromClient)).toBe(false);
      expect(helloKeyProof(zmq.curveKeyPair().secretKey, server.publicKey, "w1").equals(fromClient)).toBe(
        false,
      );
    }
  });

  it("matches the vector adapters/python/tests/test_key_proof.py checks", () => {
    const cs = "2l$Fs2l$Fs2l$Fs2l$Fs2l$Fs2l$Fs2l$Fs2l$Fs";
    const ss = "2)*[A2)*[A2)*[A2)*[A2)*[A2)*[A2)*[A2)*[A";
    expect(curvePublicKey(cs)).toBe("6tvoc(HC7#@wdNNOb^NDFZFM!FHzZ>-=Q*4F9zq%");
    expect(helloKeyProof(cs, curvePublicKey(ss), "gpu-worker-0").toString("hex")).toBe(
      "f125b8c966e12a6db4805d988cbe84007e9f4ea05975407491a202a1e66350ee",
    );
  });
});
