/**
 * Trust checks on discovery answers (SPEC MAN-3, DIS-2) and a short-lived cache of verified providers.
 *
 * The relay is not trusted with manifests: every entry carries the agent's own signed `register` envelope,
 * and an entry is kept only when that envelope verifies, is authored by the entry's `agent`, and really
 * offers the capabilities the entry lists.
 */
import { validateRegisterBody, verifyEnvelope } from '@baton/spec';
import type { CapabilityManifest, DiscoveryEntry, Envelope } from '@baton/spec';
import type { Provider } from './types.ts';

/**
 * Returns null when `entry` can be trusted, else the reason it cannot: the registration must be a
 * `register` envelope whose signature verifies strictly (SIG-3), whose `from` equals `entry.agent`, whose
 * body is a valid register body (MAN-1), and whose manifests include every name in `entry.capabilities`.
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
  const body = validateRegisterBody(reg.body);
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
