/**
 * Tells a full TLS handshake from a resumed one by looking at the first message each side sends, in
 * clear on the wire: the ClientHello and the ServerHello (RFC 8446 §4.1.2-4.1.3, RFC 5246 §7.4.1).
 * TLS 1.3 (the ServerHello carries supported_versions): resumed when the server accepted a
 * pre_shared_key. TLS 1.2: resumed when the server echoes the client's non-empty session ID
 * (RFC 5246 §7.4.1.3; RFC 5077 §3.4 for tickets). Used by the delaying relay to count handshakes
 * between resolvers and authoritative servers without terminating TLS.
 */

export type TlsHandshakeKind = 'full' | 'resumed';

const RECORD_HANDSHAKE = 22;
const EXT_PRE_SHARED_KEY = 41;
const EXT_SUPPORTED_VERSIONS = 43;

/** Most bytes looked at per direction: a hello that does not fit is not classified. */
export const HELLO_BYTES_MAX = 16_384;

/**
 * The body of the first handshake message in `stream` (TLS records of type handshake, reassembled),
 * or undefined while it is incomplete; null when the stream is not TLS.
 */
export function firstHandshakeBody(stream: Buffer): Buffer | undefined | null {
  const fragments: Buffer[] = [];
  let off = 0;
  while (off + 5 <= stream.length) {
    if (stream[off] !== RECORD_HANDSHAKE) return null;
    const len = stream.readUInt16BE(off + 3);
    if (off + 5 + len > stream.length) return undefined;
    fragments.push(stream.subarray(off + 5, off + 5 + len));
    off += 5 + len;
    const msg = Buffer.concat(fragments);
    if (msg.length >= 4) {
      const bodyLen = msg.readUIntBE(1, 3);
      if (msg.length >= 4 + bodyLen) return msg.subarray(4, 4 + bodyLen);
    }
  }
  return undefined;
}

/** A hello's session ID and extension types (ClientHello or ServerHello body). */
function parseHello(body: Buffer, client: boolean): { sessionId: Buffer; extensions: Set<number> } {
  let off = 2 + 32;
  const sidLen = body[off];
  const sessionId = body.subarray(off + 1, off + 1 + sidLen);
  off += 1 + sidLen;
  if (client) {
    off += 2 + body.readUInt16BE(off);
    off += 1 + body[off];
  } else off += 3;
  const extensions = new Set<number>();
  if (off + 2 <= body.length) {
    const end = Math.min(body.length, off + 2 + body.readUInt16BE(off));
    for (off += 2; off + 4 <= end; off += 4 + body.readUInt16BE(off + 2)) extensions.add(body.readUInt16BE(off));
  }
  return { sessionId, extensions };
}

/** Full or resumed, from the ClientHello and ServerHello bodies. */
export function classifyHandshake(clientHello: Buffer, serverHello: Buffer): TlsHandshakeKind {
  const c = parseHello(clientHello, true);
  const s = parseHello(serverHello, false);
  if (s.extensions.has(EXT_SUPPORTED_VERSIONS)) return s.extensions.has(EXT_PRE_SHARED_KEY) ? 'resumed' : 'full';
  return s.sessionId.length > 0 && s.sessionId.equals(c.sessionId) ? 'resumed' : 'full';
}

/** Something that emits the bytes of one direction of a stream (a socket). */
interface ByteSource { on(event: 'data', listener: (chunk: Buffer) => void): unknown; off(event: 'data', listener: (chunk: Buffer) => void): unknown }

/** The first handshake message body of `from`'s bytes, or null when there is none in the first HELLO_BYTES_MAX. */
function firstHello(from: ByteSource): Promise<Buffer | null> {
  return new Promise((resolve) => {
    let seen = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      seen = Buffer.concat([seen, chunk]);
      const body = firstHandshakeBody(seen);
      if (body === undefined && seen.length < HELLO_BYTES_MAX) return;
      from.off('data', onData);
      resolve(body ?? null);
    };
    from.on('data', onData);
  });
}

/** Calls `done` once with the kind of the TLS handshake between `client` and `server` (not at all if either hello is missing or malformed). */
export function watchHandshake(client: ByteSource, server: ByteSource, done: (kind: TlsHandshakeKind) => void): void {
  void Promise.all([firstHello(client), firstHello(server)]).then(([c, s]) => {
    if (!c || !s) return;
    let kind: TlsHandshakeKind;
    try { kind = classifyHandshake(c, s); } catch { return; }
    done(kind);
  });
}
