/**
 * The suffix structure every list goes into: one Map from a name to the lists holding it, as
 * "this name" (exact) and "names below it" (below) memberships. A lookup walks the question name's
 * labels once, from the full name to the TLD (one hash lookup per label), never scanning a list.
 * Memberships are interned (one small object per distinct combination, shared by the names that
 * have it), so a million names of one list cost one Map entry each and nothing more.
 */

export interface Membership {
  /** Ids of the lists (in the order given) matching the name itself, and the names below it. */
  readonly exact: readonly number[];
  readonly below: readonly number[];
}

const EMPTY: Membership = { exact: [], below: [] };

/** A match found on the walk: the list, and the list's entry name that matched. */
export interface Match { list: number; entry: string; exact: boolean }

export class DomainSet {
  private readonly names = new Map<string, Membership>();
  private readonly interned = new Map<string, Membership>();

  get size(): number { return this.names.size; }

  add(name: string, list: number, exact: boolean, below: boolean): void {
    const old = this.names.get(name) ?? EMPTY;
    const add = (ids: readonly number[], yes: boolean): readonly number[] => (yes && !ids.includes(list) ? [...ids, list].sort((a, b) => a - b) : ids);
    const next = this.intern(add(old.exact, exact), add(old.below, below));
    if (next !== old) this.names.set(name, next);
  }

  /** Every (list, entry) that matches `name` (lowercase, no final dot), closest entry first. */
  matches(name: string, out: Match[] = []): Match[] {
    const self = this.names.get(name);
    if (self) for (const list of self.exact) out.push({ list, entry: name, exact: true });
    for (let i = name.indexOf('.'); i >= 0; i = name.indexOf('.', i + 1)) {
      const suffix = name.slice(i + 1);
      const m = this.names.get(suffix);
      if (m) for (const list of m.below) out.push({ list, entry: suffix, exact: false });
    }
    return out;
  }

  private intern(exact: readonly number[], below: readonly number[]): Membership {
    const key = `${exact.join(',')}|${below.join(',')}`;
    let m = this.interned.get(key);
    if (!m) this.interned.set(key, m = { exact, below });
    return m;
  }
}
