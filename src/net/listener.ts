/**
 * Listening sockets for clients: UDP (one datagram, one query) and TCP/TLS streams (sessions with
 * pipelining, RFC 7766 §6.2.1.1; DoT per RFC 7858). The same Listener also serves as the fake
 * authoritative server in tests. `listen()` picks the implementation by transport.
 */
import { listenStream } from './stream-listener.js';
import { listenUdp } from './udp-listener.js';
import type { InboundSink, ListenOptions, Listener } from './types.js';

/** Binds a listener; rejects when the address cannot be bound. */
export function listen(opts: ListenOptions, sink: InboundSink): Promise<Listener> {
  return opts.transport === 'udp' ? listenUdp(opts, sink) : listenStream(opts, opts.transport, sink);
}
