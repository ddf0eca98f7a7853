/**
 * Runs `work` alone: a Web Lock shared by every tab of this origin, or, where Web Locks are missing, a queue
 * within this page.
 */
const tails = new Map<string, Promise<unknown>>();

export function withLock<T>(name: string, work: () => Promise<T>): Promise<T> {
  if (typeof navigator !== 'undefined' && navigator.locks) {
    return navigator.locks.request(name, work) as Promise<T>;
  }
  const run = (tails.get(name) ?? Promise.resolve()).then(work, work);
  tails.set(name, run.catch(() => undefined));
  return run;
}
