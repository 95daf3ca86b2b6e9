/**
 * Child processes for the lab and the benchmarks: start a daemon in the foreground, keep the tail of its
 * output for error messages, wait (bounded) until it answers, and stop it (SIGTERM, then SIGKILL).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A started child process. */
export interface Daemon {
  readonly name: string;
  readonly child: ChildProcess;
  /** The last few kilobytes of stdout and stderr, for error messages. */
  output(): string;
  /** True once the process has exited. */
  exited(): boolean;
  /** Stops the process: SIGTERM, SIGKILL after `graceMs`; resolves when it has exited. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

const TAIL_BYTES = 8192;

/** Children still running: killed when this process exits, so a crashed test leaves no daemon on a lab port. */
const live = new Set<ChildProcess>();
let exitHook = false;

function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => { for (const c of live) c.kill('SIGKILL'); });
}

/**
 * Spawns `cmd args` in the foreground, stdin closed, output kept in a bounded tail buffer; `onOutput`
 * also sees every chunk (for callers that read all of a daemon's log lines).
 */
export function startDaemon(
  name: string, cmd: string, args: string[], opts: { cwd?: string; onOutput?: (chunk: string) => void } = {},
): Daemon {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: opts.cwd });
  track(child);
  let tail = '';
  let done = child.exitCode !== null;
  let spawnError: Error | undefined;
  const keep = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    tail = (tail + text).slice(-TAIL_BYTES);
    opts.onOutput?.(text);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', () => { done = true; resolve(); });
    child.once('error', (err) => { spawnError = err; done = true; resolve(); });
  });
  return {
    name,
    child,
    output: () => (spawnError ? `${spawnError.message}\n` : '') + tail,
    exited: () => done,
    async stop(graceMs = 2000): Promise<void> {
      if (done) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => { if (!done) child.kill('SIGKILL'); }, graceMs);
      await exitPromise;
      clearTimeout(timer);
    },
  };
}

/** Stops all daemons in parallel, never throwing. */
export async function stopAll(daemons: Iterable<Daemon>): Promise<void> {
  await Promise.all([...daemons].map((d) => d.stop().catch(() => undefined)));
}

/**
 * Calls `probe` every `intervalMs` until it resolves true, the daemon exits, or `timeoutMs` passes.
 * Throws with the daemon's output tail when it does not become ready.
 */
export async function waitReady(
  daemon: Daemon, probe: () => Promise<boolean>, timeoutMs = 10_000, intervalMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (daemon.exited()) throw new Error(`${daemon.name} exited before answering:\n${daemon.output()}`);
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`${daemon.name} did not answer within ${timeoutMs} ms:\n${daemon.output()}`);
}

/** A fresh temporary directory and its remover. */
export function makeTempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
