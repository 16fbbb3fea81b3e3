/**
 * Serialises sends on one zeromq.js socket. zeromq.js v6 allows one send in flight per socket and throws
 * EBUSY *synchronously* on a second one; a ROUTER's send can stay in flight while a peer's pipe is at its
 * high-water mark, so under load (many workers reporting at once) unqueued sends crash the process.
 */
export class SendQueue {
  private readonly queue: Buffer[][] | Uint8Array[][] = [];
  private busy = false;

  constructor(
    private readonly socket: { send(msg: (Buffer | Uint8Array)[]): Promise<void>; readonly closed: boolean },
    private readonly onError: (err: Error) => void,
    /** Messages kept waiting at most; beyond it the oldest are dropped (a ROUTER drops over-HWM messages too). */
    private readonly maxQueued = 1_000_000,
  ) {}

  /** Queues a multipart message; never throws. */
  send(msg: (Buffer | Uint8Array)[]): void {
    if (this.socket.closed) return;
    const q = this.queue as (Buffer | Uint8Array)[][];
    if (q.length >= this.maxQueued) q.shift();
    q.push(msg);
    if (!this.busy) void this.drain();
  }

  /** Messages waiting. */
  get length(): number {
    return this.queue.length;
  }

  /**
   * Resolves once every queued message has been handed to the socket (or the socket closed), or after
   * `timeoutMs`; true when drained. Used before closing, so that last messages (Shutdown) are not lost.
   */
  async idle(timeoutMs: number): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while ((this.busy || this.queue.length > 0) && !this.socket.closed) {
      if (Date.now() >= end) return false;
      await new Promise((r) => setTimeout(r, 5));
    }
    return true;
  }

  private async drain(): Promise<void> {
    this.busy = true;
    const q = this.queue as (Buffer | Uint8Array)[][];
    try {
      while (q.length > 0 && !this.socket.closed) {
        const msg = q.shift()!;
        try {
          await this.socket.send(msg);
        } catch (err) {
          this.onError(err as Error);
        }
      }
    } finally {
      this.busy = false;
    }
  }
}
