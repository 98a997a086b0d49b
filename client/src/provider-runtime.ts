/**
 * The provider side of delivery (design DLV-3, DLV-4; SPEC ACK-3, RPL-4): for each verified `request`
 * delivered to this agent decide between running it, refusing it with a `reject` frame (`BUSY` past the
 * handler's concurrency, `UNSUPPORTED_CAPABILITY` when nothing here handles it - so the relay can retry later
 * or route it to another provider), answering a duplicate (a `working` frame while it still runs, a receipt
 * once finished), and when to send the receipt (`on-complete` with `working` heartbeats, or `on-receive`).
 *
 * Start-up: right after a (re)start the relay delivers pending requests at once, before the application had
 * the chance to call `handle()` and `register()`. A request that cannot run yet - no registration accepted
 * yet in this agent, or a handler whose manifest is not registered yet - is therefore held (for
 * `ack_timeout_ms / 3`), run as soon as a registration makes it runnable, or else refused with the retryable
 * `BUSY`. Only a capability without handler, once registered, is refused with the final `UNSUPPORTED_CAPABILITY`.
 */
import type { CapabilityManifest, Envelope, KeyPair, RejectFrame, WorkingFrame } from '@baton/spec';
import type { DedupeCache } from './dedupe.ts';
import { createResult, runRequest } from './provider.ts';
import type { Capability } from './provider.ts';
import { createReceipt } from './receipts.ts';
import type { CapabilityHandler, HandleOptions, TraceEvent } from './types.ts';

/** What the provider runtime needs from its agent. */
export interface ProviderHost {
  readonly key: KeyPair;
  /** Deduplication memory (RPL-4); a request is remembered once it is receipted. */
  readonly dedupe: DedupeCache;
  /** The manifest registered for a capability, if any. */
  manifest(name: string): CapabilityManifest | undefined;
  /** Sends a result envelope until `accepted` (kept across reconnects); failures are logged by the host. */
  sendResult(env: Envelope): void;
  /** Sends a receipt on the current connection; failures are logged by the host. */
  sendReceipt(env: Envelope): void;
  /** Sends a `reject` or `working` frame now; dropped when not connected (the relay redelivers then). */
  sendControl(frame: RejectFrame | WorkingFrame): void;
  /** The relay's current `ack_timeout_ms` (from `hello.limits`). */
  ackTimeoutMs(): number;
  /** Aborted when the agent closes for good: handlers are aborted, nothing more is sent. */
  readonly closeSignal: AbortSignal;
  now(): number;
  trace(event: TraceEvent): void;
}

/** Shortest interval between `working` frames, in ms (guards against tiny `ack_timeout_ms` values). */
const MIN_WORKING_INTERVAL_MS = 20;

interface Registration {
  readonly handler: CapabilityHandler;
  readonly concurrency: number;
  readonly receipt: 'on-receive' | 'on-complete';
}

/** Handlers by capability, the requests running now, and the per-capability concurrency count. */
export class ProviderRuntime {
  readonly #host: ProviderHost;
  readonly #handlers = new Map<string, Registration>();
  /** (from, id) of requests whose handler runs now. */
  readonly #running = new Set<string>();
  readonly #active = new Map<string, number>();
  /** Requests waiting for the first registration, by (from, id). */
  readonly #held = new Map<string, { env: Envelope; digest: string; timer: ReturnType<typeof setTimeout> }>();
  #registered = false;

  constructor(host: ProviderHost) {
    this.#host = host;
    host.closeSignal.addEventListener('abort', () => {
      for (const held of this.#held.values()) clearTimeout(held.timer);
      this.#held.clear();
    }, { once: true });
  }

  /** A registration of this agent was accepted: held requests are looked at again (run, held, or refused). */
  onRegistered(): void {
    this.#registered = true;
    const held = [...this.#held.values()];
    this.#held.clear();
    for (const { env, digest, timer } of held) {
      clearTimeout(timer);
      this.onRequest(env, digest);
    }
  }

  /**
   * Sets the handler of `capability` and its options (see {@link HandleOptions}).
   * @throws RangeError when `concurrency` is not a positive integer (or Infinity).
   */
  setHandler(capability: string, handler: CapabilityHandler, options: HandleOptions = {}): void {
    const concurrency = options.concurrency ?? Infinity;
    if (!(concurrency === Infinity || (Number.isInteger(concurrency) && concurrency >= 1))) {
      throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
    }
    this.#handlers.set(capability, { handler, concurrency, receipt: options.receipt ?? 'on-complete' });
  }

  /** Handles one verified `request` delivered to this agent (`digest` = its TYP-4 digest). */
  onRequest(env: Envelope, digest: string): void {
    const host = this.#host;
    if (host.dedupe.has(env.from, env.id)) {
      host.trace({ kind: 'duplicate', env });
      host.sendReceipt(createReceipt(host.key, env, digest));
      return;
    }
    if (this.#running.has(runKey(env)) || this.#held.has(runKey(env))) {
      host.trace({ kind: 'duplicate', env });
      host.sendControl({ op: 'working', sender: env.from, id: env.id });
      return;
    }
    const name = String((env.body as { capability?: unknown }).capability);
    const manifest = host.manifest(name);
    const registration = this.#handlers.get(name);
    if (manifest === undefined || registration === undefined) {
      if (!this.#registered || registration !== undefined) {
        this.#hold(env, digest);
        return;
      }
      this.#reject(env, 'UNSUPPORTED_CAPABILITY', `this agent does not provide ${JSON.stringify(name)}`);
      return;
    }
    if ((this.#active.get(name) ?? 0) >= registration.concurrency) {
      this.#reject(env, 'BUSY', `${registration.concurrency} ${name} request(s) already running`);
      return;
    }
    void this.#run(env, digest, name, { manifest, handler: registration.handler }, registration.receipt);
  }

  /** Keeps `env` until a registration makes it runnable; past `ack_timeout_ms / 3` refuses it with BUSY (the relay retries). */
  #hold(env: Envelope, digest: string): void {
    const key = runKey(env);
    const grace = Math.max(MIN_WORKING_INTERVAL_MS, Math.floor(this.#host.ackTimeoutMs() / 3));
    const timer = setTimeout(() => {
      if (!this.#held.delete(key)) return;
      this.#reject(env, 'BUSY', 'this agent has not registered this capability yet');
    }, grace);
    this.#held.set(key, { env, digest, timer });
  }

  #reject(env: Envelope, code: 'BUSY' | 'UNSUPPORTED_CAPABILITY', message: string): void {
    this.#host.sendControl({ op: 'reject', sender: env.from, id: env.id, code, message });
    this.#host.trace({ kind: 'rejected', env, code });
  }

  async #run(env: Envelope, digest: string, name: string, capability: Capability, mode: Registration['receipt']): Promise<void> {
    const host = this.#host;
    const key = runKey(env);
    const receipt = (): void => {
      host.dedupe.checkAndRemember(env.from, env.id);
      host.sendReceipt(createReceipt(host.key, env, digest));
    };
    this.#running.add(key);
    this.#active.set(name, (this.#active.get(name) ?? 0) + 1);
    let heartbeat: ReturnType<typeof setInterval> | undefined;
    if (mode === 'on-receive') {
      receipt();
    } else {
      const every = Math.max(MIN_WORKING_INTERVAL_MS, Math.floor(host.ackTimeoutMs() / 3));
      heartbeat = setInterval(() => host.sendControl({ op: 'working', sender: env.from, id: env.id }), every);
    }
    let body;
    try {
      body = await runRequest(env, capability, host.now(), host.closeSignal);
    } finally {
      clearInterval(heartbeat);
      this.#running.delete(key);
      this.#active.set(name, (this.#active.get(name) ?? 1) - 1);
    }
    if (host.closeSignal.aborted) return;
    // on-complete: the receipt leaves right before the result, in the same tick (see HandleOptions.receipt).
    if (mode === 'on-complete') receipt();
    host.sendResult(createResult(host.key, env, body));
    host.trace(body.status === 'ok'
      ? { kind: 'handled', env, status: 'ok' }
      : { kind: 'handled', env, status: 'error', code: body.error.code });
  }
}

function runKey(env: Envelope): string {
  return `${env.from} ${env.id}`;
}
