/**
 * The control listener (off the hot path): a Unix socket with mode 0600 (only Ward's user may
 * steer it, as unbound-control's local socket), or a loopback TCP address where every request
 * carries the token from control.token_file. One JSON request per line, answered by one JSON line;
 * a bad request gets an error response, never a crash.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { chmodSync, existsSync, mkdirSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import { errorMessage } from '../util/index.js';
import type { Logger } from '../log/index.js';
import { MAX_REQUEST_BYTES, type AdminHandle, type ControlRequest, type ControlResponse, type FlushArgs } from './types.js';
import { probeSocket } from './client.js';

export interface ControlServerOptions {
  handle: AdminHandle;
  log: Logger;
  /** A Unix socket path, or a TCP address with the token requests must carry. */
  at: { socket: string } | { address: string; port: number; token: string };
}

export interface ControlServer {
  /** The socket path, or address:port, as bound. */
  readonly where: string;
  close(): Promise<void>;
}

const IDLE_MS = 30_000;

export async function startControlServer(o: ControlServerOptions): Promise<ControlServer> {
  const token = 'token' in o.at ? Buffer.from(o.at.token) : undefined;
  const server = createServer((sock) => serve(sock, o.handle, token, o.log));
  if ('socket' in o.at) {
    const path = o.at.socket;
    // A socket file left by a Ward that died is removed; one that answers belongs to a running Ward.
    if (existsSync(path)) {
      if (await probeSocket(path)) throw new Error(`control socket ${path} is in use by another running Ward`);
      unlinkSync(path);
    }
    mkdirSync(dirname(path), { recursive: true });
    await listen(server, () => server.listen(path));
    chmodSync(path, 0o600);
    return { where: path, close: () => close(server) };
  }
  const { address, port } = o.at;
  await listen(server, () => server.listen(port, address));
  const bound = server.address();
  const where = typeof bound === 'object' && bound ? `${bound.address}:${bound.port}` : `${address}:${port}`;
  return { where, close: () => close(server) };
}

function listen(server: Server, start: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.once('listening', () => { server.off('error', reject); resolve(); });
    start();
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

function serve(sock: Socket, handle: AdminHandle, token: Buffer | undefined, log: Logger): void {
  sock.setTimeout(IDLE_MS, () => sock.destroy());
  sock.on('error', () => sock.destroy());
  let buffered = '';
  let busy = Promise.resolve();
  sock.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    if (buffered.length > MAX_REQUEST_BYTES) {
      sock.end(`${JSON.stringify({ ok: false, error: `request longer than ${MAX_REQUEST_BYTES} bytes` })}\n`);
      return;
    }
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      // Requests on one connection are answered in order.
      busy = busy.then(async () => {
        const res = await answer(line, handle, token);
        if (!res.ok) log.info({ error: res.error }, 'control request refused');
        if (!sock.destroyed) sock.write(`${JSON.stringify(res)}\n`);
      });
    }
  });
}

async function answer(line: string, handle: AdminHandle, token: Buffer | undefined): Promise<ControlResponse> {
  let req: ControlRequest;
  try {
    req = JSON.parse(line) as ControlRequest;
  } catch {
    return { ok: false, error: 'a request is one JSON object per line' };
  }
  if (typeof req !== 'object' || req === null || typeof req.command !== 'string') return { ok: false, error: 'a request needs a command' };
  if (token && !tokenMatches(req.token, token)) return { ok: false, error: 'wrong or missing token (control.token_file)' };
  return handleControlRequest(req, handle);
}

/** Runs one parsed request against the handle (also what a worker does with a request its primary relays). */
export async function handleControlRequest(req: ControlRequest, handle: AdminHandle): Promise<ControlResponse> {
  try {
    return { ok: true, result: await run(req, handle) };
  } catch (err) {
    return { ok: false, error: errorMessage(err) };
  }
}

function tokenMatches(given: unknown, token: Buffer): boolean {
  if (typeof given !== 'string') return false;
  const b = Buffer.from(given);
  return b.length === token.length && timingSafeEqual(b, token);
}

function run(req: ControlRequest, handle: AdminHandle): unknown {
  const args = req.args ?? {};
  switch (req.command) {
    case 'stats': return handle.stats(args.reset === true);
    case 'upstream': return handle.upstream();
    case 'flush': return handle.flush(flushArgs(args));
    case 'flush-infra':
      if (typeof args.address !== 'string') throw new Error('flush-infra needs an address');
      return handle.flushInfra(args.address);
    case 'cache-dump': return handle.cacheDump(typeof args.name === 'string' ? args.name : undefined);
    case 'reload': return handle.reload();
    case 'status':
      if (!Number.isInteger(args.top) || (args.top as number) < 1) throw new Error('status needs top, a positive integer');
      return handle.status(args.top as number);
    default: throw new Error(`unknown command ${JSON.stringify(req.command)}`);
  }
}

function flushArgs(a: { [key: string]: unknown }): FlushArgs {
  if (a.all === true) return { all: true };
  if (typeof a.name !== 'string' || a.name === '') throw new Error('flush needs a name (or all)');
  if (a.type !== undefined && typeof a.type !== 'string') throw new Error('flush: type must be a type name');
  return { name: a.name, ...(typeof a.type === 'string' ? { type: a.type.toUpperCase() } : {}), subtree: a.subtree === true };
}
