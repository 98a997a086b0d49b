/**
 * Discovery (SPEC DIS-1, DIS-2, MAN-3): `discover` frames through the outbox (they survive reconnections),
 * trust checks on the answers, and a short-lived cache of verified providers.
 *
 * The relay is not trusted with manifests: every entry carries the agent's own signed `register` envelope,
 * and an entry is kept only when that envelope verifies, is authored by the entry's `agent`, and really
 * offers the capabilities the entry lists.
 */
import { checkRegisterBodyShape, verifyEnvelope } from '@baton/spec';
import type { CapabilityManifest, DiscoveryEntry, DiscoveryQuery, Envelope } from '@baton/spec';
import type { Outbox } from './outbox.ts';
import type { ClientLogger, Provider, TraceEvent } from './types.ts';
import type { WaitOptions } from './waiters.ts';

/**
 * Returns null when `entry` can be trusted, else the reason it cannot: the registration must be a
 * `register` envelope whose signature verifies strictly (SIG-3), whose `from` equals `entry.agent`, whose
 * body passes `checkRegisterBodyShape` (MAN-1's body schema and names, MAN-6's and MAN-7's counts; its
 * JSON Schemas are compiled only when a request uses them), and whose manifests include every name in
 * `entry.capabilities`.
 */
export function discoveryEntryProblem(entry: DiscoveryEntry): string | null {
  const reg: Envelope | undefined = entry.registration;
  if (reg === undefined || reg === null || typeof reg !== 'object') return 'no registration envelope';
  if (reg.type !== 'register') return `registration has type ${String(reg.type)}`;
  if (reg.from !== entry.agent) return 'registration is authored by another agent';
  let valid = false;
  try {
    valid = verifyEnvelope(reg);
  } catch {
    valid = false;
  }
  if (!valid) return 'registration signature does not verify';
  // counted, not compiled: a schema is compiled when a request uses it (MAN-4), not for every discovered agent
  const body = checkRegisterBodyShape(reg.body);
  if (!body.ok) return `registration body is invalid: ${body.message}`;
  const names = new Set(body.value.manifests.map((m) => m.name));
  const missing = entry.capabilities.filter((name) => !names.has(name));
  if (missing.length > 0) return `registration does not offer ${missing.join(', ')}`;
  return null;
}

/** True when `entry` passes {@link discoveryEntryProblem} (SPEC MAN-3). */
export function verifyDiscoveryEntry(entry: DiscoveryEntry): boolean {
  return discoveryEntryProblem(entry) === null;
}

/** The manifest named `capability` in a (verified) entry's registration, if any. */
export function manifestOf(entry: DiscoveryEntry, capability: string): CapabilityManifest | undefined {
  const manifests = (entry.registration.body as { manifests?: CapabilityManifest[] }).manifests ?? [];
  return manifests.find((m) => m.name === capability);
}

/** The verified providers of `capability` among `entries`. */
export function providersOf(entries: readonly DiscoveryEntry[], capability: string): Provider[] {
  const providers: Provider[] = [];
  for (const entry of entries) {
    const manifest = manifestOf(entry, capability);
    if (manifest !== undefined) providers.push({ agent: entry.agent, manifest, entry });
  }
  return providers;
}

/** Caches verified discovery answers per key for a few seconds, so a burst of requests discovers once. */
export class DiscoveryCache {
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, { at: number; value: DiscoveryEntry[] }>();

  /** @param ttlMs how long an answer is reused, in ms (0 disables the cache). */
  constructor(ttlMs: number, now: () => number = Date.now) {
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  /** The cached answer for `key` if still fresh. */
  get(key: string): DiscoveryEntry[] | undefined {
    const hit = this.#entries.get(key);
    if (hit === undefined) return undefined;
    if (this.#now() - hit.at >= this.#ttlMs) {
      this.#entries.delete(key);
      return undefined;
    }
    return hit.value;
  }

  /** Remembers `value` for `key`. */
  set(key: string, value: DiscoveryEntry[]): void {
    if (this.#ttlMs > 0) this.#entries.set(key, { at: this.#now(), value });
  }

  /** Forgets everything (e.g. after a failed request, so the next one sees fresh providers). */
  clear(): void {
    this.#entries.clear();
  }
}

/** Sends `discover` frames and keeps only trustworthy entries; caches provider lookups. */
export class DiscoveryClient {
  readonly #outbox: Outbox<DiscoveryEntry[]>;
  readonly #cache: DiscoveryCache;
  readonly #logger: ClientLogger;
  readonly #trace: (event: TraceEvent) => void;
  #refCounter = 0;

  /** @param cacheMs how long provider lookups are reused, in ms (0 disables the cache). */
  constructor(outbox: Outbox<DiscoveryEntry[]>, cacheMs: number, logger: ClientLogger, trace: (event: TraceEvent) => void) {
    this.#outbox = outbox;
    this.#cache = new DiscoveryCache(cacheMs);
    this.#logger = logger;
    this.#trace = trace;
  }

  /**
   * Asks the relay which agents match `query` and returns the entries that pass {@link discoveryEntryProblem};
   * the others are dropped and logged.
   * @throws BatonError the relay's code (`INVALID_FRAME`, ...), `TIMEOUT`, `ABORTED`, `CONNECTION_CLOSED`.
   */
  async discover(query: DiscoveryQuery, wait: Omit<WaitOptions, 'what'>): Promise<DiscoveryEntry[]> {
    const ref = `d${++this.#refCounter}-${Math.random().toString(36).slice(2, 10)}`;
    const entries = await this.#outbox.submit(ref, { op: 'discover', ref, query }, { ...wait, what: `discovered for ${ref}` });
    return entries.filter((entry) => {
      const problem = discoveryEntryProblem(entry);
      if (problem === null) return true;
      this.#logger.warn('dropped an unverifiable discovery entry', { agent: entry?.agent, problem });
      this.#trace({ kind: 'dropped', reason: `discovery entry: ${problem}`, env: entry?.registration });
      return false;
    });
  }

  /**
   * Verified providers of `capability` (only `agent` when given, then offline ones too, for direct routing).
   * `fresh` bypasses the cache.
   */
  async findProviders(capability: string, agent: string | undefined, fresh: boolean, wait: WaitOptions): Promise<Provider[]> {
    const query: DiscoveryQuery = agent === undefined ? { capability } : { capability, include_offline: true, limit: 500 };
    const key = JSON.stringify(query);
    let entries = fresh ? undefined : this.#cache.get(key);
    if (entries === undefined) {
      entries = await this.discover(query, { timeoutMs: wait.timeoutMs, signal: wait.signal });
      this.#cache.set(key, entries);
    }
    const providers = providersOf(entries, capability);
    return agent === undefined ? providers : providers.filter((p) => p.agent === agent);
  }

  /** Forgets cached answers (after a registration, so this agent sees its own change). */
  clearCache(): void {
    this.#cache.clear();
  }
}
