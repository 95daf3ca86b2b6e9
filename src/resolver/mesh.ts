/**
 * The mesh (Unbound mesh.c, simplified): one running iteration per (name, type), shared by every
 * client query and sub-query that asks the same; sub-queries inherit their parent's budget and
 * depth. A sub-query that would wait, directly or through other tasks, on its own parent is a cycle
 * and fails at once instead of deadlocking. A client query waits until its signal aborts (its
 * connection went away), a sub-query as long as its parent task runs; when nothing waits for a task
 * any more, the task is aborted (its signal reaches the upstream queries it sends), and the others
 * sharing a task never see one waiter leave (util SharedFlights).
 */
import { errorMessage, SharedFlights, type Abortable, type Flight } from '../util/index.js';
import { Budget, LIMITS } from './budget.js';
import { EDE, QUERY_ABORTED, ede } from './ede.js';
import type { IterOutcome, Task } from './iter-types.js';

type Run = (name: string, type: string, task: Task) => Promise<IterOutcome>;

export class Mesh {
  private readonly flights = new SharedFlights<IterOutcome, Task>();

  constructor(private readonly run: Run, private readonly monotonic: () => number) {}

  /** Iterations in flight. */
  get size(): number { return this.flights.size; }

  /**
   * The outcome of (name, type); `signal` (default: the parent task's) ends this wait early.
   * `prefetch`: a new task is a background refresh (Task.prefetch).
   */
  resolve(name: string, type: string, parent?: Task, signal: Abortable | undefined = parent?.signal, prefetch = false): Promise<IterOutcome> {
    const key = `${name}|${type}`;
    const existing = this.flights.get(key);
    if (existing) {
      if (parent && reaches(existing.meta, parent)) return Promise.resolve(failure(`dependency cycle on ${key}`));
      return this.wait(existing, parent, signal);
    }
    if (parent && parent.depth >= LIMITS.maxDepth) return Promise.resolve(failure(`sub-query depth over ${LIMITS.maxDepth}`));
    const flight = this.flights.start(key, (taskSignal) => {
      const task: Task = {
        key, depth: parent ? parent.depth + 1 : 0, budget: parent?.budget ?? new Budget(this.monotonic),
        signal: taskSignal, ...(prefetch ? { prefetch } : {}),
      };
      const result = this.run(name, type, task).catch((err: unknown) => failure(`internal error: ${errorMessage(err)}`));
      return { meta: task, result };
    });
    return this.wait(flight, parent, signal);
  }

  private wait(flight: Flight<IterOutcome, Task>, parent: Task | undefined, signal: Abortable | undefined): Promise<IterOutcome> {
    const waited = this.flights.wait(flight, signal, (): IterOutcome => ({ kind: 'fail', ede: QUERY_ABORTED }));
    if (!parent) return waited;
    const waitingOn = parent.waitingOn ??= new Set();
    waitingOn.add(flight.meta);
    return waited.finally(() => waitingOn.delete(flight.meta));
  }
}

function failure(text: string): IterOutcome {
  return { kind: 'fail', ede: ede(EDE.OTHER, text) };
}

/** Whether `target` is `from` or something `from` waits on, transitively. */
function reaches(from: Task, target: Task): boolean {
  const stack = [from];
  const seen = new Set<Task>();
  while (stack.length > 0) {
    const t = stack.pop() as Task;
    if (t === target) return true;
    if (seen.has(t)) continue;
    seen.add(t);
    if (t.waitingOn) for (const w of t.waitingOn) stack.push(w);
  }
  return false;
}
