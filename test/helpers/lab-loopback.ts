/**
 * Loopback addresses for daemons that bind only to addresses configured on an interface (BIND 9):
 * adds an address to `lo` with iproute2 for the lab's lifetime (needs root / CAP_NET_ADMIN).
 */
import { execFileSync } from 'node:child_process';
import { networkInterfaces } from 'node:os';

function onInterface(address: string): boolean {
  return Object.values(networkInterfaces()).some((list) => list?.some((i) => i.address === address));
}

/**
 * Makes sure `address` is on an interface. Returns the function that undoes it (a no-op when it was
 * already there), or undefined when the address cannot be added here.
 */
export function addLoopbackAddress(address: string): (() => void) | undefined {
  if (onInterface(address)) return () => undefined;
  try {
    execFileSync('ip', ['addr', 'add', `${address}/32`, 'dev', 'lo'], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  return () => {
    try { execFileSync('ip', ['addr', 'del', `${address}/32`, 'dev', 'lo'], { stdio: 'ignore' }); } catch { /* gone */ }
  };
}
