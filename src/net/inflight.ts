/**
 * Inbound admission on one stream session (RFC 7766 §6.2.1.1, §7): every query read is dispatched at
 * once; each reply is written as soon as *its* answer is ready, so answers go out of order. At
 * `maxInflight` the session stops reading until a reply is written (Unbound tcp_req_info). All
 * queries of a session share one AbortSignal, aborted when the session closes.
 * At log level debug each query read and each reply written is a 'stream query' / 'stream reply'
 * line (observe.ts): what test/interop reads to see reuse, pipelining, reply order, keepalive
 * (RFC 7828) and padding (RFC 7830) per connection. Off (not even parsed) otherwise.
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from '../log/index.js';
import { errorMessage } from '../util/index.js';
import type { InflightCount } from './inflight-count.js';
import { streamObserver, type StreamObserver } from './observe.js';
import type { Session } from './session.js';
import type { InboundQuery, InboundSink, PeerInfo, StreamInfo } from './types.js';

export class InflightTable {
  private count = 0;
  private paused = false;
  private readonly abort = new AbortController();
  private readonly peer: PeerInfo;
  private readonly observe: StreamObserver | undefined;

  constructor(
    private readonly session: Session,
    private readonly sink: InboundSink,
    private readonly maxInflight: number,
    /** The listener's count, shared by all its sessions. */
    private readonly listenerCount: InflightCount,
    private readonly log: Logger,
  ) {
    setMaxListeners(0, this.abort.signal); // shared by up to maxInflight queries at once
    this.peer = { address: session.remote.address, port: session.remote.port, transport: session.transport };
    this.observe = streamObserver(log, `${this.peer.address}:${this.peer.port}`);
    session.on('frame', (bytes) => this.admit(bytes));
    session.on('close', () => this.abort.abort());
  }

  /** Queries admitted and not yet answered on this session. */
  get size(): number { return this.count; }

  private admit(bytes: Buffer): void {
    this.count++;
    this.listenerCount.begin();
    this.session.beginQuery();
    this.observe?.('stream query', bytes, this.count);
    if (this.count >= this.maxInflight && !this.paused) {
      this.paused = true;
      this.session.pauseReading();
    }
    const q = new StreamQuery(bytes, this.peer, this.session.info, this.abort.signal, this);
    try {
      this.sink(q);
    } catch (err) {
      this.log.error({ err: errorMessage(err) }, 'query sink threw');
      q.reply(undefined);
    }
  }

  /** Called once per query by StreamQuery.reply. */
  finish(out: Buffer | undefined): void {
    if (out !== undefined) {
      this.session.send(out);
      this.observe?.('stream reply', out, this.count);
    }
    this.count--;
    this.listenerCount.end();
    if (this.paused && this.count < this.maxInflight) {
      this.paused = false;
      this.session.resumeReading();
    }
    this.session.endQuery();
  }
}

class StreamQuery implements InboundQuery {
  private done = false;
  constructor(
    readonly bytes: Buffer,
    readonly peer: PeerInfo,
    readonly stream: StreamInfo,
    readonly signal: AbortSignal,
    private readonly table: InflightTable,
  ) {}

  reply(out: Buffer | undefined): void {
    if (this.done) return;
    this.done = true;
    this.table.finish(out);
  }
}
