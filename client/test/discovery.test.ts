// Integration tests of register() and discover(): signed registrations, verification of discovery entries.
import { afterEach, describe, expect, it } from 'vitest';
import { checkValue, createEnvelope, generateKeyPair, isBatonError, verifyEnvelope } from '@baton/spec';
import type { DiscoveryEntry } from '@baton/spec';
import { verifyDiscoveryEntry, discoveryEntryProblem } from '../src/index.ts';
import { manifest, startHarness, textSchema } from './helpers.ts';
import type { Harness } from './helpers.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

describe('register and discover', () => {
  it('registers every manifest in one signed envelope and discovers it verified (TYP-1, MAN-3, DIS-2)', async () => {
    harness = await startHarness();
    const provider = await harness.agent();
    const caller = await harness.agent();
    await provider.register(manifest('text.upper', textSchema, textSchema), { handle: 'upper-bot' });
    const reg = await provider.register(manifest('text.lower', textSchema, textSchema));
    expect(reg.type).toBe('register');
    expect(reg.to).toBe(harness.relay.did);
    expect((reg.body as { manifests: { name: string }[] }).manifests.map((m) => m.name)).toEqual(['text.upper', 'text.lower']);
    expect((reg.body as { handle?: string }).handle).toBe('upper-bot');

    const found = await caller.discover({ capability: 'text.lower' });
    expect(found.map((e) => e.agent)).toEqual([provider.did]);
    const entry = found[0]!;
    expect(entry.online).toBe(true);
    expect(entry.handle).toBe('upper-bot');
    expect(entry.registration).toEqual(reg);
    expect(verifyEnvelope(entry.registration)).toBe(true);
    expect(await caller.discover({ capability: 'nobody.has.this' })).toEqual([]);
  });

  it('rejects an invalid manifest locally with INVALID_MANIFEST and keeps the previous set', async () => {
    harness = await startHarness();
    const agent = await harness.agent();
    await agent.register(manifest('good.one'));
    const bad = { ...manifest('Bad Name') };
    await expect(agent.register(bad)).rejects.toSatisfy((e: unknown) => isBatonError(e) && e.code === 'INVALID_MANIFEST');
    expect(agent.manifests.map((m) => m.name)).toEqual(['good.one']);
  });

  it('registers a copy of the manifest: the caller changing its object afterwards changes nothing registered', async () => {
    harness = await startHarness();
    const agent = await harness.agent();
    agent.handle('text.upper', async (input) => ({ text: (input as { text: string }).text.toUpperCase() }));
    const given = manifest('text.upper', structuredClone(textSchema), textSchema);
    await agent.register(given);
    given.description = 'changed afterwards';
    (given.input_schema as Record<string, unknown>).type = 'number';
    const kept = agent.manifests[0]!;
    expect(kept.description).not.toBe('changed afterwards');
    expect(kept.input_schema).toEqual(textSchema);
    // the provider validates inputs against what it registered (MAN-4)
    const caller = await harness.agent();
    expect(await caller.request('text.upper', { text: 'kept' })).toEqual({ text: 'KEPT' });
    const notJson = { ...manifest('with.function'), extra: () => 1 };
    await expect(agent.register(notJson)).rejects.toSatisfy((e: unknown) => isBatonError(e) && e.code === 'INVALID_MANIFEST');
    expect(agent.manifests.map((m) => m.name)).toEqual(['text.upper']);
  });

  it('propagates the relay code when a handle is taken (MAN-2)', async () => {
    harness = await startHarness();
    const first = await harness.agent();
    const second = await harness.agent();
    await first.register(manifest('a.cap'), { handle: 'shared-name' });
    await expect(second.register(manifest('b.cap'), { handle: 'shared-name' }))
      .rejects.toSatisfy((e: unknown) => isBatonError(e) && e.code === 'HANDLE_TAKEN');
    expect(second.manifests).toEqual([]);
  });
});

describe('verifyDiscoveryEntry', () => {
  const key = generateKeyPair();
  const relay = generateKeyPair();
  const registration = createEnvelope(key, { type: 'register', to: relay.did, body: { manifests: [manifest('echo')] } });
  const entry: DiscoveryEntry = { agent: key.did, online: true, capabilities: ['echo'], registration };

  it('accepts a genuine entry', () => {
    expect(discoveryEntryProblem(entry)).toBeNull();
    expect(verifyDiscoveryEntry(entry)).toBe(true);
  });

  it('drops a registration whose body was tampered with', () => {
    const tampered = { ...registration, body: { manifests: [{ ...manifest('echo'), description: 'evil' }] } };
    expect(discoveryEntryProblem({ ...entry, registration: tampered })).toMatch(/signature/);
  });

  it('drops an entry that attributes the registration to another agent', () => {
    expect(discoveryEntryProblem({ ...entry, agent: generateKeyPair().did })).toMatch(/another agent/);
  });

  it('drops an entry listing a capability the signed registration does not offer', () => {
    expect(discoveryEntryProblem({ ...entry, capabilities: ['echo', 'steal.keys'] })).toMatch(/steal\.keys/);
  });

  it('counts the registration\'s schemas but compiles none (a request that uses one compiles it)', () => {
    // not a usable JSON Schema, which a relay would refuse (MAN-1): kept here, refused by the MAN-4 check
    const odd = createEnvelope(key, { type: 'register', to: relay.did, body: { manifests: [{ ...manifest('echo'), input_schema: { type: 'no-such-type' } }] } });
    expect(discoveryEntryProblem({ ...entry, registration: odd })).toBeNull();
    expect(checkValue({ type: 'no-such-type' }, {}, 'INPUT_SCHEMA_VIOLATION')?.message).toMatch(/invalid JSON Schema/);
    // 1,000 schema objects: within MAN-6, but 16 + 8,000 + 1 + 5,000 units and the output's 24, over MAN-7's 10,000
    const costly = createEnvelope(key, {
      type: 'register', to: relay.did, body: { manifests: [{ ...manifest('echo'), input_schema: { allOf: Array.from({ length: 999 }, () => ({})) } }] },
    });
    expect(discoveryEntryProblem({ ...entry, registration: costly })).toMatch(/13,041 units.*MAN-7/);
  });

  it('drops an entry whose registration is not a register envelope', () => {
    const message = createEnvelope(key, { type: 'message', to: relay.did, body: { manifests: [manifest('echo')] } });
    expect(verifyDiscoveryEntry({ ...entry, registration: message })).toBe(false);
  });
});
