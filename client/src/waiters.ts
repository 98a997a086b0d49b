/**
 * Keyed waiters: promises that a later frame settles by key (envelope id, discovery ref, request id), with
 * a deadline and an optional AbortSignal. Used for `accepted`, `delivered`, `discovered` and `result`.
 */
import { BatonError } from '@baton/spec';

interface Waiter<T> {
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

/** Options of {@link WaiterMap.wait}. */
export interface WaitOptions {
  /** Rejects with `TIMEOUT` after this many ms. */
  timeoutMs: number;
  /** Rejects with `ABORTED` when aborted. */
  signal?: AbortSignal | undefined;
  /** Words for the TIMEOUT message, e.g. "accepted for 0190...". */
  what: string;
}

/** A map of pending waits, at most one per key. */
export class WaiterMap<T> {
  readonly #waiters = new Map<string, Waiter<T>>();

  /** Number of pending waits. */
  get size(): number {
    return this.#waiters.size;
  }

  /** True when something waits for `key`. */
  has(key: string): boolean {
    return this.#waiters.has(key);
  }

  /**
   * Waits until {@link resolve} or {@link reject} is called for `key`.
   * @throws BatonError `TIMEOUT` past `timeoutMs`, `ABORTED` when `signal` aborts; whatever `reject` passes.
   */
  wait(key: string, options: WaitOptions): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const { signal } = options;
      if (signal?.aborted === true) {
        reject(new BatonError('ABORTED', `aborted while waiting for ${options.what}`, { cause: signal.reason }));
        return;
      }
      const cleanup = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (this.#waiters.get(key) === waiter) this.#waiters.delete(key);
      };
      const onAbort = (): void => {
        cleanup();
        reject(new BatonError('ABORTED', `aborted while waiting for ${options.what}`, { cause: signal?.reason }));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new BatonError('TIMEOUT', `no ${options.what} within ${options.timeoutMs} ms`));
      }, Math.max(0, options.timeoutMs));
      const waiter: Waiter<T> = {
        resolve: (value) => { cleanup(); resolve(value); },
        reject: (error) => { cleanup(); reject(error); },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.get(key)?.reject(new BatonError('INTERNAL_ERROR', `superseded wait for ${options.what}`));
      this.#waiters.set(key, waiter);
    });
  }

  /** Settles the wait for `key` with `value`; returns false when nothing waited. */
  resolve(key: string, value: T): boolean {
    const waiter = this.#waiters.get(key);
    if (waiter === undefined) return false;
    waiter.resolve(value);
    return true;
  }

  /** Fails the wait for `key`; returns false when nothing waited. */
  reject(key: string, error: unknown): boolean {
    const waiter = this.#waiters.get(key);
    if (waiter === undefined) return false;
    waiter.reject(error);
    return true;
  }

  /** Fails every pending wait (e.g. with `CONNECTION_CLOSED`). */
  rejectAll(error: unknown): void {
    for (const waiter of [...this.#waiters.values()]) waiter.reject(error);
  }
}

/**
 * Waits for `promise` with a deadline and an optional AbortSignal.
 * @throws BatonError `TIMEOUT` past `timeoutMs`, `ABORTED` when `signal` aborts; or what `promise` rejects with.
 */
export function withDeadline<T>(promise: Promise<T>, options: WaitOptions): Promise<T> {
  const waiters = new WaiterMap<T>();
  const waiting = waiters.wait('x', options);
  promise.then((value) => waiters.resolve('x', value), (error: unknown) => waiters.reject('x', error));
  return waiting;
}
