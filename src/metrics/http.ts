/**
 * The operations HTTP listener (off by default; loopback unless http.allow_remote): GET /metrics
 * answers the Prometheus exposition from the registry, and the other routes it is given (the status
 * page) their bodies. Anything else is 404; a client that stalls is cut off. Nothing here runs on
 * the query path.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { errorMessage } from '../util/index.js';
import type { HostPort } from '../config/index.js';
import type { Logger } from '../log/index.js';
import { createRegistry, type MetricsSource } from './registry.js';

/** Another page on the listener: its headers, and its body made for each GET. */
export interface HttpRoute { headers: { [name: string]: string }; body(): string }

export interface MetricsServerOptions {
  listen: HostPort;
  admin: MetricsSource;
  topZones: number;
  log: Logger;
  /** More GET routes by path (the status page's / and /status.json). */
  routes?: { [path: string]: HttpRoute };
  /** Called with the path before each GET it serves is answered, for a source read asynchronously (a primary asks its workers). */
  refresh?: (path: string) => Promise<void>;
}

export interface MetricsServer {
  address: string;
  port: number;
  /** `http://address:port` (IPv6 in brackets), where the routes are. */
  url: string;
  close(): Promise<void>;
}

export async function startMetricsServer(o: MetricsServerOptions): Promise<MetricsServer> {
  const registry = createRegistry(o.admin, o.topZones);
  const routes = new Map(Object.entries(o.routes ?? {}));
  const known = ['/metrics', ...routes.keys()].map((p) => `GET ${p}`).join(', ');
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = routes.get(path);
    if (req.method !== 'GET' || (path !== '/metrics' && route === undefined)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${known}\n`);
      return;
    }
    const fresh = o.refresh ? o.refresh(path) : Promise.resolve();
    if (route) { fresh.then(() => serveRoute(path, route, res, o.log), (err: unknown) => failed(path, err, res, o.log)); return; }
    fresh.then(() => registry.metrics()).then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => {
        o.log.warn({ err: errorMessage(err) }, 'metrics scrape failed');
        res.writeHead(500, { 'content-type': 'text/plain' }).end('scrape failed\n');
      },
    );
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.listen.port, o.listen.address, () => { server.off('error', reject); resolve(); });
  });
  const bound = server.address();
  const port = typeof bound === 'object' && bound ? bound.port : o.listen.port;
  return {
    address: o.listen.address, port, url: `http://${o.listen.address.includes(':') ? `[${o.listen.address}]` : o.listen.address}:${port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

function serveRoute(path: string, route: HttpRoute, res: ServerResponse, log: Logger): void {
  let body: string;
  try {
    body = route.body();
  } catch (err) {
    failed(path, err, res, log);
    return;
  }
  res.writeHead(200, route.headers).end(body);
}

function failed(path: string, err: unknown, res: ServerResponse, log: Logger): void {
  log.warn({ path, err: errorMessage(err) }, 'HTTP route failed');
  res.writeHead(500, { 'content-type': 'text/plain' }).end('failed\n');
}
