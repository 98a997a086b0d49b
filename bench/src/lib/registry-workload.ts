/**
 * The registry the discovery figure queries: agent i registers one capability manifest named
 * `bench.cap-<i mod capGroups>` tagged `group-<i mod tagGroups>`, so that every capability is provided by
 * N / capGroups agents and every tag carried by N / tagGroups agents. The register envelopes are signed
 * before any timed phase.
 */
import { createEnvelope, type CapabilityManifest, type KeyPair } from '@baton/spec';

/** Agents per capability name: a capability query with limit 50 returns 50 entries. */
export const AGENTS_PER_CAPABILITY = 50;
/** Number of distinct tags. */
export const TAG_GROUPS = 20;

/** Name of capability group `k`. */
export function capabilityName(k: number): string {
  return `bench.cap-${k}`;
}

/** Name of tag group `g`. */
export function tagName(g: number): string {
  return `group-${g}`;
}

/** Number of capability groups for `agents` registered agents. */
export function capabilityGroups(agents: number): number {
  return Math.max(1, Math.floor(agents / AGENTS_PER_CAPABILITY));
}

/** The manifest of agent `i` among `agents`. */
export function benchManifest(i: number, agents: number): CapabilityManifest {
  return {
    name: capabilityName(i % capabilityGroups(agents)),
    version: '1.0.0',
    description: 'Benchmark capability: echoes its input',
    input_schema: { type: 'object', properties: { text: { type: 'string' } } },
    output_schema: { type: 'object' },
    timeout_ms: 5_000,
    tags: [tagName(i % TAG_GROUPS), 'bench'],
  };
}

/** The `send` frame of agent `i`'s signed `register` envelope (SPEC TYP-1), addressed to `relayDid`. */
export function registerFrame(key: KeyPair, i: number, agents: number, relayDid: string): string {
  const env = createEnvelope(key, { type: 'register', to: relayDid, body: { manifests: [benchManifest(i, agents)] } });
  return JSON.stringify({ op: 'send', env });
}
