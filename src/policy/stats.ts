/** Counters of the policy stage (`ward stats`): answers blocked per list, through CNAMEs, and let through by an allow entry. */
export class PolicyStats {
  allowed = 0;
  viaCname = 0;
  private readonly perList = new Map<string, number>();

  blocked(list: string, viaCname = false): void {
    this.perList.set(list, (this.perList.get(list) ?? 0) + 1);
    if (viaCname) this.viaCname++;
  }

  snapshot(): { blocked: number; allowed: number; blocked_via_cname: number; by_list: { [list: string]: number } } {
    const byList = Object.fromEntries(this.perList);
    return { blocked: Object.values(byList).reduce((a, b) => a + b, 0), allowed: this.allowed, blocked_via_cname: this.viaCname, by_list: byList };
  }
}
