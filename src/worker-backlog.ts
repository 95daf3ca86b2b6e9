/**
 * A bound on IPC messages not yet written (answers shared between workers): Node queues every
 * process.send / worker.send in memory until the channel takes it, so a peer that stops reading
 * would make the queue grow without end. Past `max` unwritten messages the caller drops what it
 * would have sent (sharing is an optimisation: the answer stays in the sender's own cache, and the
 * others resolve it themselves).
 */
export class IpcBacklog {
  private unwritten = 0;

  constructor(private readonly max: number) {}

  /** Whether `max` messages are waiting: the caller drops what it would send. */
  get full(): boolean { return this.unwritten >= this.max; }

  /** Calls `send` with the callback to call once the message is written. */
  send(send: (written: () => void) => void): void {
    this.unwritten++;
    send(() => { this.unwritten--; });
  }
}
