/**
 * Connected peers and which connection holds which running attempt. The state book knows workers by id
 * only; this table maps ids to live connections (ROUTER routing ids) and to the principal that owns the
 * id: the CURVE public key the peer proved it holds, or, without such a proof, the connection itself.
 */
import type { WorkerSlot } from "../scheduler.js";
import type { TrialState } from "../state/book.js";

/** One connection that said Hello. */
export interface Peer extends WorkerSlot {
  /** The ROUTER routing id as a latin1 string (map key). */
  readonly key: string;
  readonly routingId: Buffer;
  peerId: string;
  role: number;
  capacity: number;
  workloads: string[];
  readonly running: Set<TrialState>;
  lastSeen: number;
  algorithms: string[];
  draining: boolean;
  /** Who owns `peerId`: `curve:<Z85 public key>` when proven, else `conn:<routing id hex>`. */
  principal: string;
  /** The proven CURVE key ("" without a proof). */
  curveKey: string;
}

/** The CURVE key of a principal ("" for a connection principal). */
export function keyOfPrincipal(principal: string): string {
  return principal.startsWith("curve:") ? principal.slice("curve:".length) : "";
}

/** The principal of a connection without a key proof. */
export function connectionPrincipal(routingId: Buffer): string {
  return `conn:${routingId.toString("hex")}`;
}

/** Peers by connection and by id, and the holder of every running attempt. */
export class PeerTable {
  private readonly byKey = new Map<string, Peer>();
  private readonly byId = new Map<string, Peer>();
  private readonly holders = new Map<TrialState, Peer>();

  /** The peer of a connection. */
  get(key: string): Peer | undefined {
    return this.byKey.get(key);
  }

  /** The live peer that holds an id. */
  withId(peerId: string): Peer | undefined {
    return this.byId.get(peerId);
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  values(): IterableIterator<Peer> {
    return this.byKey.values();
  }

  get size(): number {
    return this.byKey.size;
  }

  /** Ids held (for tests of bounded memory). */
  get idCount(): number {
    return this.byId.size;
  }

  /** Registers a connection under its (possibly new) id; an id it held before is forgotten. */
  register(p: Peer, peerId: string): void {
    if (p.peerId !== peerId && this.byId.get(p.peerId) === p) this.byId.delete(p.peerId);
    p.peerId = peerId;
    this.byKey.set(p.key, p);
    this.byId.set(peerId, p);
  }

  /** Forgets a connection; returns the attempts it held (the caller preempts them). */
  drop(p: Peer): TrialState[] {
    this.byKey.delete(p.key);
    if (this.byId.get(p.peerId) === p) this.byId.delete(p.peerId);
    return [...p.running];
  }

  /** Makes `p` the holder of a running attempt. */
  bind(t: TrialState, p: Peer): void {
    const old = this.holders.get(t);
    if (old && old !== p) old.running.delete(t);
    this.holders.set(t, p);
    p.running.add(t);
  }

  /** The attempt left RUNNING/STOPPING: nobody holds it any more. */
  unbind(t: TrialState): void {
    const p = this.holders.get(t);
    if (!p) return;
    p.running.delete(t);
    this.holders.delete(t);
  }

  holder(t: TrialState): Peer | undefined {
    return this.holders.get(t);
  }
}
