/**
 * What a primary and its workers (server.workers) say to each other over the cluster's IPC
 * channel (serialization 'advanced': structured clone, so answers travel as bytes, never as JSON of
 * records): the primary relays control requests, each worker answers them as its own control
 * channel would, and says once that it serves; with server.share_cache_between_workers a worker
 * posts batches of the answers it resolved, which the primary hands to every other worker.
 */
import type { ControlRequest, ControlResponse } from './control/index.js';

/** Primary → worker: a control request to answer. */
export interface WorkerRequest { ward: 'request'; id: number; request: ControlRequest }

/**
 * Answers a worker resolved, encoded as cache/shared-entry.ts does (values[i] answers keys[i], the
 * key being sharedKey('', question)): posted to the primary as 'share', handed on as 'shared'.
 * Buffers arrive as Uint8Array (structured clone).
 */
export interface AnswerBatch<W extends 'share' | 'shared'> { ward: W; keys: string[]; values: Uint8Array[] }

/** Worker → primary: serving (every listener bound), the answer to request `id`, or answers to share. */
export type WorkerMessage = { ward: 'ready' } | { ward: 'reply'; id: number; response: ControlResponse } | AnswerBatch<'share'>;

/** The environment variable that gives a worker its number (1..N). */
export const WORKER_ENV = 'WARD_WORKER';

export function isWorkerRequest(m: unknown): m is WorkerRequest {
  return typeof m === 'object' && m !== null && (m as WorkerRequest).ward === 'request';
}

export function isWorkerMessage(m: unknown): m is WorkerMessage {
  const ward = (m as WorkerMessage | null)?.ward;
  return ward === 'ready' || ward === 'reply' || ward === 'share';
}

/** Primary → worker: answers the other workers resolved. */
export function isSharedAnswers(m: unknown): m is AnswerBatch<'shared'> {
  const b = m as AnswerBatch<'shared'> | null;
  return typeof b === 'object' && b !== null && b.ward === 'shared' && Array.isArray(b.keys) && Array.isArray(b.values) && b.keys.length === b.values.length;
}
