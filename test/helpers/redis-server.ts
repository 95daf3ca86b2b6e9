/**
 * A real redis-server (Debian's `redis-server`) for the shared cache tier's tests: started on
 * 127.0.0.1 with a free port and no persistence (--save '' --appendonly no), with an ioredis client
 * for the test's own reads and writes; `pause`/`resume` stop and continue the process (SIGSTOP,
 * SIGCONT) to make a slow server; `stop` ends it.
 */
import { connect } from 'node:net';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';
import { startDaemon, waitReady, type Daemon } from './lab-process.js';

export interface RedisServer {
  url: string;
  port: number;
  daemon: Daemon;
  /** The test's own client (its commands wait while the server is paused). */
  client: Redis;
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

/** True when the server at port answers PING. */
function pongs(port: number, timeoutMs = 300): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, HOST);
    const done = (ok: boolean): void => { clearTimeout(timer); sock.destroy(); resolve(ok); };
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.once('data', (d) => done(d.toString().startsWith('+PONG')));
    sock.once('error', () => done(false));
  });
}

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort(HOST);
  const daemon = startDaemon('redis-server', 'redis-server', [
    '--bind', HOST, '--port', String(port), '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning',
  ]);
  try {
    await waitReady(daemon, () => pongs(port), 10_000);
  } catch (err) {
    await daemon.stop();
    throw err;
  }
  const client = new Redis({ host: HOST, port, maxRetriesPerRequest: 1 });
  let paused = false;
  return {
    url: `redis://${HOST}:${port}`, port, daemon, client,
    pause: () => { paused = true; daemon.child.kill('SIGSTOP'); },
    resume: () => { paused = false; daemon.child.kill('SIGCONT'); },
    async stop() {
      if (paused) daemon.child.kill('SIGCONT');
      client.disconnect();
      await daemon.stop();
    },
  };
}
