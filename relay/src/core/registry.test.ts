/** Registry index order: the did-ordered views of a capability or tag follow registrations and re-registrations. */
import type { Envelope } from '@baton/spec';
import { describe, expect, it } from 'vitest';
import type { RelayStore } from '../store/store.ts';
import { Registry } from './registry.ts';

const emptyStore = { knownAgents: () => [], registrations: () => [] } as unknown as RelayStore;

function register(registry: Registry, agent: string, manifests: { name: string; tags?: string[] }[]): void {
  const env = { from: agent, body: { manifests } } as unknown as Envelope;
  registry.setRegistration(env, JSON.stringify(env));
}

describe('Registry sorted index views', () => {
  it('lists providers and carriers in did order, refreshed after every change', () => {
    const registry = new Registry(emptyStore);
    register(registry, 'did:key:zC', [{ name: 'echo', tags: ['fast'] }]);
    register(registry, 'did:key:zA', [{ name: 'echo' }]);
    expect(registry.sortedProvidersOf('echo')).toEqual(['did:key:zA', 'did:key:zC']);
    expect(registry.sortedCarriersOf('fast')).toEqual(['did:key:zC']);

    register(registry, 'did:key:zB', [{ name: 'echo', tags: ['fast'] }]);
    expect(registry.sortedProvidersOf('echo')).toEqual(['did:key:zA', 'did:key:zB', 'did:key:zC']);
    expect(registry.sortedCarriersOf('fast')).toEqual(['did:key:zB', 'did:key:zC']);

    // Re-registration without the capability and tag: dropped from both views.
    register(registry, 'did:key:zC', [{ name: 'other' }]);
    expect(registry.sortedProvidersOf('echo')).toEqual(['did:key:zA', 'did:key:zB']);
    expect(registry.sortedCarriersOf('fast')).toEqual(['did:key:zB']);
    expect(registry.sortedProvidersOf('other')).toEqual(['did:key:zC']);
  });

  it('an unknown capability or tag is an empty view', () => {
    const registry = new Registry(emptyStore);
    expect(registry.sortedProvidersOf('nothing')).toEqual([]);
    expect(registry.sortedCarriersOf('nothing')).toEqual([]);
    register(registry, 'did:key:zA', [{ name: 'nothing', tags: ['nothing'] }]);
    expect(registry.sortedProvidersOf('nothing')).toEqual(['did:key:zA']);
    expect(registry.sortedCarriersOf('nothing')).toEqual(['did:key:zA']);
  });
});
