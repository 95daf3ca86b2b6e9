/**
 * The primary's worker processes (server.workers, node:cluster): forks N workers that each serve
 * every configured socket, restarts one that dies with back-off, relays control requests to all,
 * and stops them gracefully. The primary binds nothing itself: the cluster module creates each
 * listening socket once and hands it to every worker.
 *
 * Scheduling: cluster's default for TCP (SCHED_RR) accepts every connection in the primary and
 * passes it on; SCHED_NONE hands the listening socket itself to the workers, so the kernel spreads
 * accepts and nothing goes through the primary. UDP sockets are always shared that way (Node 20
 * cluster/primary.js: SharedHandle for udp4/udp6), so every worker reads the same socket and each
 * datagram goes to one of them.
 */
import cluster, { type Worker } from 'node:cluster';
import type { ControlRequest, ControlResponse } from './control/index.js';
import type { Logger } from './log/index.js';
import { IpcBacklog } from './worker-backlog.js';
import { isWorkerMessage, WORKER_ENV, type AnswerBatch } from './worker-messages.js';

export interface Backoff {
  /** Delay before the first restart of a worker that died. */
  firstMs: number;
  /** Doubling stops here. */
  maxMs: number;
  /** A worker that served this long before dying is restarted after `firstMs` again. */
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { firstMs: 100, maxMs: 10_000, resetAfterMs: 30_000 };

export interface WorkerPoolOptions {
  count: number;
  log: Logger;
  backoff?: Backoff;
  /** Bound on a worker's start-up (config, lists, certificate, binding). */
  readyTimeoutMs?: number;
  /** Bound on a relayed control request. */
  requestTimeoutMs?: number;
}

/** One worker as `ward stats` lists it. */
export interface WorkerInfo { id: number; pid: number; started_at: string; restarts: number }

/** A worker that did not come up at start: the primary exits with its code (2: bad config). */
export class WorkerStartError extends Error {
  constructor(message: string, readonly exitCode: number) { super(message); }
}

interface Slot {
  readonly id: number;
  worker?: Worker;
  ready: boolean;
  startedAt: number;
  restarts: number;
  delayMs: number;
  timer?: NodeJS.Timeout;
  /** Answer batches handed to this worker and not yet written (server.share_cache_between_workers). */
  backlog: IpcBacklog;
  /** Batches were dropped for this worker since its backlog was last below the bound (warned once). */
  dropping?: boolean;
}

/** Answer batches waiting for one worker before the primary drops the next ones for it. */
const MAX_UNWRITTEN_BATCHES = 64;

interface Pending { worker: number; resolve(r: ControlResponse): void; reject(err: Error): void; timer: NodeJS.Timeout }

export class WorkerPool {
  private readonly slots: Slot[];
  private readonly backoff: Backoff;
  private readonly pending = new Map<number, Pending>();
  private nextRequest = 1;
  private stopping = false;
  private readonly exitListeners: ((id: number, pid: number | undefined) => void)[] = [];

  constructor(private readonly o: WorkerPoolOptions) {
    this.backoff = o.backoff ?? DEFAULT_BACKOFF;
    this.slots = Array.from({ length: o.count }, (_, i) => ({
      id: i + 1, ready: false, startedAt: 0, restarts: 0, delayMs: this.backoff.firstMs, backlog: new IpcBacklog(MAX_UNWRITTEN_BATCHES),
    }));
    // Read when the first worker is forked (cluster.setupPrimary).
    cluster.schedulingPolicy = cluster.SCHED_NONE;
    // Structured clone on the IPC channel: shared answers travel as bytes, not as JSON of a Buffer.
    cluster.setupPrimary({ serialization: 'advanced' });
  }

  /** Forks every worker and resolves once each serves; when one does not, stops the others and rejects. */
  async start(): Promise<void> {
    try {
      await Promise.all(this.slots.map((s) => this.fork(s)));
    } catch (err) {
      await this.stop(2_000);
      throw err;
    }
  }

  /** The workers serving now. */
  workers(): WorkerInfo[] {
    return this.slots.filter((s) => s.ready && s.worker?.process.pid !== undefined).map((s) => ({
      id: s.id, pid: s.worker!.process.pid!, started_at: new Date(s.startedAt).toISOString(), restarts: s.restarts,
    }));
  }

  /** Sends `request` to every serving worker; resolves with each answer, or rejects when one cannot answer. */
  async request(request: ControlRequest): Promise<{ worker: WorkerInfo; response: ControlResponse }[]> {
    const workers = this.workers();
    if (workers.length === 0) throw new Error('no worker is serving (restarting)');
    return Promise.all(workers.map(async (w) => ({ worker: w, response: await this.ask(w.id, request) })));
  }

  /** Calls `listener` with the slot and process id of each worker that exits (a crash, a kill, a stop). */
  onWorkerExit(listener: (id: number, pid: number | undefined) => void): void {
    this.exitListeners.push(listener);
  }

  /** SIGTERM to every worker (each drains as a single Ward does); SIGKILL to those still there after `deadlineMs`. */
  async stop(deadlineMs = 10_000): Promise<void> {
    this.stopping = true;
    const live = this.slots.filter((s) => { clearTimeout(s.timer); return s.worker !== undefined && !s.worker.isDead(); });
    const exited = live.map((s) => new Promise<void>((resolve) => {
      const w = s.worker!;
      w.once('exit', () => resolve());
      w.process.kill('SIGTERM');
    }));
    const killer = setTimeout(() => {
      for (const s of live) if (!s.worker!.isDead()) { this.o.log.warn({ worker: s.id }, 'worker did not stop in time: killed'); s.worker!.process.kill('SIGKILL'); }
    }, deadlineMs);
    await Promise.all(exited);
    clearTimeout(killer);
  }

  private ask(worker: number, request: ControlRequest): Promise<ControlResponse> {
    const slot = this.slots[worker - 1];
    const id = this.nextRequest++;
    const timeoutMs = this.o.requestTimeoutMs ?? 20_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.settle(id, new Error(`worker ${worker} did not answer within ${timeoutMs / 1000} s`)), timeoutMs);
      this.pending.set(id, { worker, resolve, reject, timer });
      // A worker that has just died has a closed channel: that is this request's error, not an
      // unhandled 'error' event that would end the primary and every other worker with it.
      const w = slot.worker;
      if (!w?.isConnected()) { this.settle(id, new Error(`worker ${worker} is not reachable (restarting)`)); return; }
      w.send({ ward: 'request', id, request }, undefined, (err) => { if (err) this.settle(id, new Error(`worker ${worker} is not reachable: ${err.message}`)); });
    });
  }

  private settle(id: number, outcome: ControlResponse | Error): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    if (outcome instanceof Error) p.reject(outcome); else p.resolve(outcome);
  }

  /**
   * Hands answers one worker resolved to every other serving worker, as they came (the primary
   * neither decodes nor keeps them: a worker started later gets only what is resolved from then on).
   */
  private relay(from: number, m: AnswerBatch<'share'>): void {
    const batch: AnswerBatch<'shared'> = { ward: 'shared', keys: m.keys, values: m.values };
    for (const s of this.slots) {
      if (s.id === from || !s.ready || !s.worker?.isConnected()) continue;
      if (s.backlog.full) {
        if (!s.dropping) this.o.log.warn({ worker: s.id }, 'worker does not read shared answers: dropping them for it until it catches up');
        s.dropping = true;
        continue;
      }
      s.dropping = false;
      const w = s.worker;
      s.backlog.send((written) => w.send(batch, undefined, written));
    }
  }

  /** Starts the slot's worker; resolves when it serves, rejects when it exits first (start-up only). */
  private fork(slot: Slot): Promise<void> {
    const worker = cluster.fork({ [WORKER_ENV]: String(slot.id) });
    slot.worker = worker;
    slot.ready = false;
    slot.backlog = new IpcBacklog(MAX_UNWRITTEN_BATCHES);
    slot.startedAt = Date.now();
    const log = this.o.log;
    return new Promise((resolve, reject) => {
      const timeoutMs = this.o.readyTimeoutMs ?? 60_000;
      const timer = setTimeout(() => { reject(new WorkerStartError(`worker ${slot.id} did not start within ${timeoutMs / 1000} s`, 1)); worker.process.kill('SIGKILL'); }, timeoutMs);
      worker.on('message', (m: unknown) => {
        if (!isWorkerMessage(m)) return;
        if (m.ward === 'reply') { this.settle(m.id, m.response); return; }
        if (m.ward === 'share') { this.relay(slot.id, m); return; }
        clearTimeout(timer);
        slot.ready = true;
        log.info({ worker: slot.id, pid: worker.process.pid }, 'worker serving');
        resolve();
      });
      // Sends to a worker whose channel closed report here when no callback took the error.
      worker.on('error', (err) => log.warn({ worker: slot.id, err: err.message }, 'worker channel error'));
      worker.on('exit', (code, signal) => {
        clearTimeout(timer);
        for (const listener of this.exitListeners) listener(slot.id, worker.process.pid);
        for (const [id, p] of this.pending) if (p.worker === slot.id) this.settle(id, new Error(`worker ${slot.id} exited before answering`));
        if (!slot.ready) reject(new WorkerStartError(`worker ${slot.id} exited with code ${code ?? signal} before serving`, code ?? 1));
        slot.ready = false;
        if (!this.stopping) this.restartLater(slot, code, signal);
      });
    });
  }

  /** Back-off: doubling from `firstMs` to `maxMs`, back to `firstMs` after a worker served `resetAfterMs`. */
  private restartLater(slot: Slot, code: number | null, signal: string | null): void {
    if (Date.now() - slot.startedAt >= this.backoff.resetAfterMs) slot.delayMs = this.backoff.firstMs;
    const delayMs = slot.delayMs;
    slot.delayMs = Math.min(delayMs * 2, this.backoff.maxMs);
    this.o.log.warn({ worker: slot.id, code, signal, restart_in_ms: delayMs }, 'worker died: restarting');
    slot.timer = setTimeout(() => {
      slot.restarts++;
      this.fork(slot).catch(() => { /* its exit schedules the next try */ });
    }, delayMs);
  }
}
