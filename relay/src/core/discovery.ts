/**
 * Discovery (SPEC DIS-1..DIS-4): answers a query over the registry. An agent matches when its latest
 * registration has a manifest with the exact capability `name` and, when `tag` is also given, that same
 * manifest carries the tag (with only `tag`, any manifest carrying it). Only agents online now are returned
 * unless `include_offline` is true. Results are ordered by agent did:key, at most `limit` (default 50).
 */
import type { CapabilityManifest, DiscoveryEntry, DiscoveryQuery } from '@baton/spec';
import type { Presence } from './presence.ts';
import type { Registry } from './registry.ts';

/** Default and maximum number of entries (DIS-1, DIS-3). */
export const DISCOVERY_DEFAULT_LIMIT = 50;
export const DISCOVERY_MAX_LIMIT = 500;

function matches(m: CapabilityManifest, q: DiscoveryQuery): boolean {
  if (q.capability !== undefined && m.name !== q.capability) return false;
  if (q.tag !== undefined && !(m.tags ?? []).includes(q.tag)) return false;
  return true;
}

/**
 * Runs a discovery query. Candidates come from the registry's capability or tag index in did order (sorted
 * once per change of the index), read only up to `limit` matches, so the cost follows the answer, not the registry.
 * @returns entries ordered by did, each with the names of the matching manifests and the registration
 *   envelope exactly as received (MAN-3).
 */
export function discover(registry: Registry, presence: Presence, query: DiscoveryQuery): DiscoveryEntry[] {
  const limit = Math.min(query.limit ?? DISCOVERY_DEFAULT_LIMIT, DISCOVERY_MAX_LIMIT);
  const filtered = query.capability !== undefined || query.tag !== undefined;
  const candidates: readonly string[] = query.capability !== undefined
    ? registry.sortedProvidersOf(query.capability)
    : query.tag !== undefined ? registry.sortedCarriersOf(query.tag) : registry.sortedAgents();
  const entries: DiscoveryEntry[] = [];
  for (const agent of candidates) {
    if (entries.length >= limit) break;
    const r = registry.get(agent);
    if (r === undefined) continue;
    const online = presence.isOnline(agent);
    if (!online && query.include_offline !== true) continue;
    const names = filtered ? r.manifests.filter((m) => matches(m, query)).map((m) => m.name) : r.manifests.map((m) => m.name);
    if (filtered && names.length === 0) continue;
    const entry: DiscoveryEntry = { agent, online, capabilities: names, registration: r.envelope };
    if (r.handle !== undefined) entry.handle = r.handle;
    entries.push(entry);
  }
  return entries;
}
