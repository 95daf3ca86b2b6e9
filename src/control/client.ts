/** The control channel's client side (the `ward` CLI): one request, one response, with a deadline. */
import { connect, type Socket } from 'node:net';
import { MAX_RESPONSE_BYTES, type ControlRequest, type ControlResponse, type ControlTarget } from './types.js';

const TIMEOUT_MS = 30_000;

export class ControlError extends Error {}

/** Where a target is, in words, for error messages. */
export function describeTarget(t: ControlTarget): string {
  return 'socket' in t ? `control socket ${t.socket}` : `control address ${t.address}:${t.port}`;
}

/** Sends one request and resolves with the result; a refused request or a dead channel rejects with ControlError. */
export function controlRequest(target: ControlTarget, req: ControlRequest, timeoutMs = TIMEOUT_MS): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const sock: Socket = 'socket' in target ? connect(target.socket) : connect(target.port, target.address);
    const full: ControlRequest = 'token' in target ? { ...req, token: target.token } : req;
    let buffered = '';
    const fail = (msg: string): void => { sock.destroy(); reject(new ControlError(msg)); };
    sock.setTimeout(timeoutMs, () => fail(`${describeTarget(target)}: no answer within ${timeoutMs / 1000} s`));
    sock.on('connect', () => sock.write(`${JSON.stringify(full)}\n`));
    sock.on('error', (err: NodeJS.ErrnoException) => {
      const hint = err.code === 'ENOENT' || err.code === 'ECONNREFUSED'
        ? 'is Ward running with this config (--config)?'
        : err.code === 'EACCES' ? 'run as the user Ward runs as' : err.message;
      fail(`cannot reach ${describeTarget(target)} (${err.code ?? err.message}): ${hint}`);
    });
    sock.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      if (buffered.length > MAX_RESPONSE_BYTES) return fail(`${describeTarget(target)}: response too large`);
      const nl = buffered.indexOf('\n');
      if (nl < 0) return;
      sock.end();
      let res: ControlResponse;
      try { res = JSON.parse(buffered.slice(0, nl)) as ControlResponse; } catch { return fail(`${describeTarget(target)}: unreadable response`); }
      if (res.ok) resolve(res.result); else reject(new ControlError(res.error));
    });
    sock.on('close', () => reject(new ControlError(`${describeTarget(target)} closed without an answer`)));
  });
}

/** Whether something answers on a Unix socket path (a live Ward, not a stale file). */
export function probeSocket(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(path);
    sock.once('connect', () => { sock.destroy(); resolve(true); });
    sock.once('error', () => resolve(false));
  });
}
