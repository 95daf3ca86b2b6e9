/**
 * Access control for clients: an ordered list of address prefixes, first match wins, each with an
 * action: allow, refuse (answer REFUSED with EDE 18 "Prohibited", RFC 8914 §4.19) or deny (drop
 * silently). IPv4-mapped IPv6 peers (::ffff:a.b.c.d) match IPv4 rules. Unmatched clients are refused.
 * Decisions are memoised per address (bounded) so the UDP hot path pays a Map lookup.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { AclAction, AclRule } from '../config/index.js';

interface CompiledRule { family: 4 | 6; bits: Uint8Array; length: number; action: AclAction }

const MEMO_LIMIT = 4096;

/** The address as 4 or 16 octets, or undefined when it is not an IP address. */
export function addressBytes(address: string): Uint8Array | undefined {
  if (address.startsWith('::ffff:') && isIPv4(address.slice(7))) address = address.slice(7);
  if (isIPv4(address)) return Uint8Array.from(address.split('.').map(Number));
  if (!isIPv6(address)) return undefined;
  const zone = address.indexOf('%');
  if (zone >= 0) address = address.slice(0, zone);
  let [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const groups = (s: string | undefined): string[] => (s ? s.split(':') : []);
  let h = groups(head);
  let t = groups(tail);
  const last = (tail === undefined ? h : t).at(-1);
  const v4 = last && isIPv4(last) ? Uint8Array.from(last.split('.').map(Number)) : undefined;
  if (v4) {
    const words = [((v4[0] << 8) | v4[1]).toString(16), ((v4[2] << 8) | v4[3]).toString(16)];
    if (tail === undefined) h = [...h.slice(0, -1), ...words]; else t = [...t.slice(0, -1), ...words];
  }
  const fill = tail === undefined ? [] : new Array<string>(8 - h.length - t.length).fill('0');
  const all = [...h, ...fill, ...t];
  const out = new Uint8Array(16);
  all.forEach((g, i) => { const v = parseInt(g, 16); out[2 * i] = v >> 8; out[2 * i + 1] = v & 0xff; });
  return out;
}

/** Parses `address/length` (a bare address is a host prefix). Throws on bad input (config validates first). */
function compile(rule: AclRule): CompiledRule {
  const [addr, len] = rule.prefix.split('/');
  const bits = addressBytes(addr);
  if (!bits) throw new Error(`bad access_control prefix ${rule.prefix}`);
  const family = bits.length === 4 ? 4 : 6;
  return { family, bits, length: len === undefined ? bits.length * 8 : Number(len), action: rule.action };
}

function matches(rule: CompiledRule, bytes: Uint8Array): boolean {
  if (bytes.length !== rule.bits.length) return false;
  let left = rule.length;
  for (let i = 0; left > 0; i++, left -= 8) {
    const mask = left >= 8 ? 0xff : (0xff << (8 - left)) & 0xff;
    if ((bytes[i] & mask) !== (rule.bits[i] & mask)) return false;
  }
  return true;
}

/** Decides what to do with a client address. */
export class AccessControl {
  private readonly rules: CompiledRule[];
  private readonly memo = new Map<string, AclAction>();

  constructor(rules: AclRule[]) {
    this.rules = rules.map(compile);
  }

  /** The last address checked and its action: one client sending a burst skips the memo's hashing. */
  private lastAddress = '';
  private lastAction: AclAction = 'refuse';

  /** The action of the first rule matching `address`; 'refuse' when none does. */
  check(address: string): AclAction {
    if (address === this.lastAddress) return this.lastAction;
    const action = this.lookup(address);
    this.lastAddress = address;
    this.lastAction = action;
    return action;
  }

  private lookup(address: string): AclAction {
    const known = this.memo.get(address);
    if (known !== undefined) return known;
    const bytes = addressBytes(address);
    let action: AclAction = 'refuse';
    if (bytes) {
      for (const rule of this.rules) {
        if (matches(rule, bytes)) { action = rule.action; break; }
      }
    }
    if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
    this.memo.set(address, action);
    return action;
  }
}
