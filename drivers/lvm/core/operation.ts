import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Driver operations and the order of events on the hosts. Each public driver call runs as one
 * operation; a host report may serve an operation only if it was read after the operation
 * began (see SharedRead), so a change made by hand or by another process before an operation
 * starts is always seen by it, while reads inside one operation, and between operations that
 * run at the same time, are shared.
 */

let clock = 0;

/** A new point on the process's event clock (strictly increasing). */
export function tick(): number {
  return ++clock;
}

const current = new AsyncLocalStorage<{ startedAt: number }>();

/** Runs `work` as one operation; a nested call keeps the outer operation's start. */
export function inOperation<T>(work: () => Promise<T>): Promise<T> {
  if (current.getStore()) return work();
  return current.run({ startedAt: tick() }, work);
}

/** When the running operation began; outside any operation, now (so nothing older is used). */
export function operationStart(): number {
  return current.getStore()?.startedAt ?? tick();
}

/**
 * Makes every method of a class's prototype one operation. The LVM driver's public face uses
 * it so that no capability module has to remember to.
 */
export function methodsAsOperations(prototype: object): void {
  const target = prototype as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(prototype)) {
    const method = target[name];
    if (name === "constructor" || typeof method !== "function") continue;
    target[name] = function operation(this: unknown, ...args: unknown[]): unknown {
      return inOperation(async () => (method as (...a: unknown[]) => unknown).apply(this, args));
    };
  }
}
