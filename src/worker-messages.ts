/**
 * What a primary and its workers (server.workers) say to each other over the cluster's IPC
 * channel: the primary relays control requests, each worker answers them as its own control
 * channel would, and says once that it serves.
 */
import type { ControlRequest, ControlResponse } from './control/index.js';

/** Primary → worker: a control request to answer. */
export interface WorkerRequest { ward: 'request'; id: number; request: ControlRequest }

/** Worker → primary: serving (every listener bound), or the answer to request `id`. */
export type WorkerMessage = { ward: 'ready' } | { ward: 'reply'; id: number; response: ControlResponse };

/** The environment variable that gives a worker its number (1..N). */
export const WORKER_ENV = 'WARD_WORKER';

export function isWorkerRequest(m: unknown): m is WorkerRequest {
  return typeof m === 'object' && m !== null && (m as WorkerRequest).ward === 'request';
}

export function isWorkerMessage(m: unknown): m is WorkerMessage {
  const ward = (m as WorkerMessage | null)?.ward;
  return ward === 'ready' || ward === 'reply';
}
