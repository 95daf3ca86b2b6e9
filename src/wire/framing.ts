/**
 * DNS over a stream: each message carries a 2-octet length prefix (RFC 1035 §4.2.2, RFC 7766 §8).
 * FrameDecoder turns arbitrary chunks (split or coalesced) into whole messages.
 */

/** Prefixes `msg` with its 2-octet length. */
export function frame(msg: Buffer): Buffer {
  const out = Buffer.allocUnsafe(msg.length + 2);
  out.writeUInt16BE(msg.length, 0);
  msg.copy(out, 2);
  return out;
}

export type FrameResult = { frames: Buffer[]; error?: 'too-large' | 'too-small' };

export class FrameDecoder {
  private pending: Buffer | null = null;

  /**
   * @param maxFrame largest message accepted; a longer length prefix is an error (the peer lies or attacks)
   * @param minFrame smallest message accepted (a DNS header is 12 octets)
   */
  constructor(private readonly maxFrame = 65535, private readonly minFrame = 12) {}

  /** Octets held while waiting for the rest of a frame. */
  get buffered(): number { return this.pending?.length ?? 0; }

  /** Feeds a chunk; returns the whole frames it completes. After an error the decoder must be dropped. */
  push(chunk: Buffer): FrameResult {
    let buf = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Buffer[] = [];
    let off = 0;
    while (buf.length - off >= 2) {
      const len = buf.readUInt16BE(off);
      if (len > this.maxFrame) return { frames, error: 'too-large' };
      if (len < this.minFrame) return { frames, error: 'too-small' };
      if (buf.length - off - 2 < len) break;
      frames.push(buf.subarray(off + 2, off + 2 + len));
      off += 2 + len;
    }
    this.pending = off === buf.length ? null : Buffer.from(buf.subarray(off));
    return { frames };
  }
}
