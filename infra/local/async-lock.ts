/**
 * A first-in first-out mutual exclusion for async work: `run` starts `task` once every task queued
 * before it has settled, so at most one task runs at a time. A failing task does not break the queue.
 */
export class AsyncLock {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once every task queued so far has settled. */
  idle(): Promise<void> {
    return this.run(async () => undefined);
  }
}
