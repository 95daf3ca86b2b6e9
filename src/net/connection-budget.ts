/**
 * One cap on open client stream connections, shared by every TCP and TLS listener given the same
 * budget (server.limits.max_connections is global, not per socket). A connection counts from TCP
 * accept (before any TLS handshake) until its socket closes. At the cap every governed listener
 * refuses at accept through Node's own check (net.Server `maxConnections`, 'drop' event): the
 * connection is closed before a Socket object exists, the cheapest refusal under a flood.
 */
import type { Server, Socket } from 'node:net';

/**
 * Node 20 drops a new connection when `maxConnections && _connections >= maxConnections` (0 means no
 * limit); -1 drops every one whatever the listener's own count, and Infinity none.
 */
const GATE_CLOSED = -1;
const GATE_OPEN = Infinity;

export class ConnectionBudget {
  private count = 0;
  private readonly servers = new Set<Server>();

  constructor(readonly max: number) {}

  /** Connections open across all governed listeners. */
  get open(): number {
    return this.count;
  }

  /** Counts `server`'s connections against the budget and refuses its new ones at the cap; returns the detach. */
  govern(server: Server): () => void {
    this.servers.add(server);
    server.maxConnections = this.gate();
    const admit = (socket: Socket): void => {
      this.count++;
      socket.once('close', () => { this.count--; this.update(); });
      this.update();
    };
    server.on('connection', admit);
    return () => {
      server.off('connection', admit);
      this.servers.delete(server);
    };
  }

  private gate(): number {
    return this.count >= this.max ? GATE_CLOSED : GATE_OPEN;
  }

  private update(): void {
    const gate = this.gate();
    for (const s of this.servers) s.maxConnections = gate;
  }
}
