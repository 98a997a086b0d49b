// Discovery answers as JSON text (DIS-3, MAN-3): the text built around the stored registrations parses to the
// DiscoveryEntry objects the registry holds, as a valid `discovered` frame, with and without handles.
import { createEnvelope, generateKeyPair, parseFrame, publicKeyToDid, type Envelope } from '@baton/spec';
import { describe, expect, it } from 'vitest';
import type { RelayStore } from '../store/store.ts';
import { discover, discoveryJson } from './discovery.ts';
import type { Presence } from './presence.ts';
import { Registry } from './registry.ts';

const relayDid = publicKeyToDid(generateKeyPair().publicKey);

function registration(handle: string | undefined, names: string[]): Envelope {
  const manifests = names.map((name) => ({ name, version: '1.0.0', description: `does ${name} "quoted" \u2713`, tags: ['t'] }));
  return createEnvelope(generateKeyPair(), { type: 'register', to: relayDid, body: { manifests, ...(handle === undefined ? {} : { handle }) } });
}

describe('discoveryJson', () => {
  it('gives the JSON of every matching DiscoveryEntry, registrations as stored', () => {
    const registry = new Registry({ knownAgents: () => [], registrations: () => [] } as unknown as RelayStore);
    const envs = [registration('alpha', ['echo', 'other']), registration(undefined, ['echo']), registration(undefined, ['other'])];
    for (const env of envs) registry.setRegistration(env, JSON.stringify(env));
    const online = new Set([envs[0]!.from]);
    const presence = { isOnline: (did: string) => online.has(did) } as unknown as Presence;

    const text = `{"op":"discovered","ref":"r1","agents":${discoveryJson(discover(registry, presence, { capability: 'echo', include_offline: true }))}}`;
    const frame = parseFrame(text);
    expect(frame.ok).toBe(true);
    const expected = envs.slice(0, 2)
      .map((env) => ({
        agent: env.from,
        ...(env.from === envs[0]!.from ? { handle: 'alpha' } : {}),
        online: online.has(env.from),
        capabilities: ['echo'],
        registration: env,
      }))
      .sort((a, b) => (a.agent < b.agent ? -1 : 1));
    expect(JSON.parse(text)).toEqual({ op: 'discovered', ref: 'r1', agents: expected });

    // only online agents by default; an empty answer is an empty array
    expect(JSON.parse(discoveryJson(discover(registry, presence, { capability: 'echo' }))).map((e: { agent: string }) => e.agent)).toEqual([envs[0]!.from]);
    expect(discoveryJson(discover(registry, presence, { capability: 'none' }))).toBe('[]');
  });
});
