/**
 * Access control for clients: an ordered list of address prefixes, first match wins, each with an
 * action: allow, refuse (answer REFUSED with EDE 18 "Prohibited", RFC 8914 §4.19) or deny (drop
 * silently). IPv4-mapped IPv6 peers (::ffff:a.b.c.d) match IPv4 rules. Unmatched clients are refused.
 * Decisions are memoised per address (bounded) so the UDP hot path pays a Map lookup.
 */
import type { AclAction, AclRule } from '../config/index.js';
import { addressBytes } from '../wire/index.js';

interface CompiledRule { family: 4 | 6; bits: Uint8Array; length: number; action: AclAction }

const MEMO_LIMIT = 4096;

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
