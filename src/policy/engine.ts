/**
 * The policy decision for one name and one client group. Each configured list becomes one or more
 * sublists in a shared DomainSet: block, allow (allow lists, adblock `@@` exceptions, policy.allow),
 * important (adblock `$important`) and RPZ (with an action per entry). For a name, in this order:
 * an important block wins; then any allow match lets the name through; then the first block list
 * of the group (config order) decides. Built whole and swapped whole (reload, refresh).
 */
import { AccessControl } from '../server/index.js';
import type { PolicyAction, PolicyConfig } from '../config/index.js';
import { DomainSet, type Match } from './domain-set.js';
import type { ListEntry } from './parse.js';
import { hostName } from '../wire/index.js';
import type { RpzAction, RpzEntry } from './rpz.js';

export type SublistRole = 'block' | 'allow' | 'important' | 'rpz';

interface Sublist {
  /** Index in policy.lists; -1 for policy.allow. */
  source: number;
  role: SublistRole;
  /** RPZ: the action of each trigger ("=" name for exact, "*" name for below). */
  rpz?: Map<string, RpzAction>;
}

export type Decision =
  | { kind: 'pass'; list: string }
  | { kind: 'block'; list: number; name: string; entry: string; action: PolicyAction | RpzAction };

/** One group as the engine applies it: the config lists (indices) it uses. */
interface Group { name: string; lists: Set<number> }

export class PolicyEngine {
  private readonly set = new DomainSet();
  private readonly sublists: Sublist[] = [];
  private readonly groups: Group[];
  /** Per group, its client prefixes as an access-control matcher ('allow' reads "in the group"). */
  private readonly groupRules: AccessControl[];
  /** The default group: every list. */
  private readonly everything: Group;

  constructor(readonly config: PolicyConfig) {
    this.everything = { name: 'default', lists: new Set(config.lists.map((_, i) => i)) };
    this.groups = config.groups.map((g) => ({ name: g.name, lists: new Set(g.lists.map((n) => config.lists.findIndex((l) => l.name === n))) }));
    this.groupRules = config.groups.map((g) => new AccessControl(g.clients.map((prefix) => ({ prefix, action: 'allow' as const }))));
    const allow = this.sublist(-1, 'allow');
    for (const a of config.allow) {
      const below = a.startsWith('*.');
      const name = hostName(below ? a.slice(2) : a);
      if (name !== undefined) this.set.add(name, allow, !below, below);
    }
  }

  /** Names held, over all lists. */
  get size(): number { return this.set.size; }

  /** Adds a parsed list's entries under config list `source`. */
  addList(source: number, entries: readonly ListEntry[]): void {
    const kind = this.config.lists[source].kind;
    const ids = new Map<SublistRole, number>();
    const id = (role: SublistRole): number => {
      let v = ids.get(role);
      if (v === undefined) ids.set(role, v = this.sublist(source, role));
      return v;
    };
    for (const e of entries) {
      const role: SublistRole = kind === 'allow' || e.allow ? 'allow' : e.important ? 'important' : 'block';
      this.set.add(e.name, id(role), e.exact, e.below);
    }
  }

  /** Adds an RPZ list: passthru triggers allow, the others block with their own action. */
  addRpz(source: number, entries: readonly RpzEntry[]): void {
    const rpz = new Map<string, RpzAction>();
    const block = this.sublist(source, 'rpz', rpz);
    let allow: number | undefined;
    for (const e of entries) {
      if (e.action.kind === 'passthru') {
        allow ??= this.sublist(source, 'allow');
        this.set.add(e.name, allow, e.exact, e.below);
        continue;
      }
      rpz.set(`${e.exact ? '=' : '*'}${e.name}`, e.action);
      this.set.add(e.name, block, e.exact, e.below);
    }
  }

  /** The index of the client's group (0: the default, every list), for microcache partitions too. */
  groupOf(address: string): number {
    for (let i = 0; i < this.groupRules.length; i++) if (this.groupRules[i].check(address) === 'allow') return i + 1;
    return 0;
  }

  groupName(index: number): string {
    return index === 0 ? 'default' : this.groups[index - 1].name;
  }

  /** Whether a group filters at all (a group with no lists does not, not even policy.allow matters). */
  filters(group: number): boolean {
    return (group === 0 ? this.everything : this.groups[group - 1]).lists.size > 0;
  }

  /** The decision for lowercased `name` (no final dot) in `group`; undefined: no list has it. */
  decide(name: string, group: number): Decision | undefined {
    const g = group === 0 ? this.everything : this.groups[group - 1];
    if (g.lists.size === 0) return undefined;
    const matches = this.set.matches(name).filter((m) => { const s = this.sublists[m.list].source; return s === -1 || g.lists.has(s); });
    if (matches.length === 0) return undefined;
    const important = matches.find((m) => this.sublists[m.list].role === 'important');
    if (important) return this.block(important, name);
    const allowed = matches.find((m) => this.sublists[m.list].role === 'allow');
    if (allowed) return { kind: 'pass', list: this.listLabel(allowed.list) };
    // Lists in config order; within a list the closest entry (the walk's order).
    const blocks = matches.filter((m) => this.sublists[m.list].role !== 'allow');
    blocks.sort((a, b) => this.sublists[a.list].source - this.sublists[b.list].source);
    return blocks.length > 0 ? this.block(blocks[0], name) : undefined;
  }

  listLabel(sublist: number): string {
    const s = this.sublists[sublist].source;
    return s === -1 ? 'policy.allow' : this.config.lists[s].name;
  }

  private block(m: Match, name: string): Decision {
    const sub = this.sublists[m.list];
    const rpz = sub.rpz?.get(`${m.exact ? '=' : '*'}${m.entry}`);
    return { kind: 'block', list: sub.source, name, entry: m.entry, action: rpz ?? this.config.lists[sub.source].action };
  }

  private sublist(source: number, role: SublistRole, rpz?: Map<string, RpzAction>): number {
    this.sublists.push({ source, role, ...(rpz ? { rpz } : {}) });
    return this.sublists.length - 1;
  }
}
