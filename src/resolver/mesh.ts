/**
 * The mesh (Unbound mesh.c, simplified): one running iteration per (name, type), shared by every
 * client query and sub-query that asks the same; sub-queries inherit their parent's budget and
 * depth. A sub-query that would wait, directly or through other tasks, on its own parent is a cycle
 * and fails at once instead of deadlocking.
 */
import { errorMessage } from '../util/index.js';
import { Budget, LIMITS } from './budget.js';
import { EDE, ede } from './ede.js';
import type { IterOutcome, Task } from './iter-types.js';

type Run = (name: string, type: string, task: Task) => Promise<IterOutcome>;
interface Running { task: Task; promise: Promise<IterOutcome> }

export class Mesh {
  private readonly running = new Map<string, Running>();

  constructor(private readonly run: Run, private readonly monotonic: () => number) {}

  /** Iterations in flight. */
  get size(): number { return this.running.size; }

  resolve(name: string, type: string, parent?: Task): Promise<IterOutcome> {
    const key = `${name}|${type}`;
    const existing = this.running.get(key);
    if (existing) {
      if (parent && reaches(existing.task, parent)) return Promise.resolve(failure(`dependency cycle on ${key}`));
      return wait(parent, existing);
    }
    if (parent && parent.depth >= LIMITS.maxDepth) return Promise.resolve(failure(`sub-query depth over ${LIMITS.maxDepth}`));
    const task: Task = {
      key, depth: parent ? parent.depth + 1 : 0, budget: parent?.budget ?? new Budget(this.monotonic), waitingOn: new Set(),
    };
    const promise = this.run(name, type, task)
      .catch((err: unknown) => failure(`internal error: ${errorMessage(err)}`))
      .finally(() => this.running.delete(key));
    const entry = { task, promise };
    this.running.set(key, entry);
    return wait(parent, entry);
  }
}

function failure(text: string): IterOutcome {
  return { kind: 'fail', ede: ede(EDE.OTHER, text) };
}

async function wait(parent: Task | undefined, entry: Running): Promise<IterOutcome> {
  if (!parent) return entry.promise;
  parent.waitingOn.add(entry.task);
  try {
    return await entry.promise;
  } finally {
    parent.waitingOn.delete(entry.task);
  }
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
    for (const w of t.waitingOn) stack.push(w);
  }
  return false;
}
