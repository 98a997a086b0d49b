// Unit tests of the group commit against a real SQLite file: one transaction per tick, hooks only after
// COMMIT returns, all-or-nothing on failure, and queued envelopes visible to dedupe and handle checks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../store/sqlite-store.ts';
import { AttemptLog } from './attempt-log.ts';
import { GroupCommit, LAZY_FLUSH_DELAY_MS, type Queued } from './group-commit.ts';

let dir: string;
let store: SqliteStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'baton-gc-test-'));
  store = new SqliteStore(join(dir, 'baton.sqlite'), 'fsync');
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function item(id: string, handle?: string): Queued {
  return {
    sender: 'did:key:zSender', id, digest: `digest-${id}`, ...(handle === undefined ? {} : { handle }),
    toWrite: () => ({
      sender: 'did:key:zSender', id, type: 'message', to: 'did:key:zRecipient', recipient: 'did:key:zRecipient',
      digest: `digest-${id}`, json: '{}', acceptedAt: 1, exp: null,
    }),
  };
}

function nextTick(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

describe('GroupCommit', () => {
  it('commits one tick of envelopes together and reports them only after the commit', async () => {
    const events: string[] = [];
    const gc = new GroupCommit(store, {
      committed: (items) => events.push(`committed ${items.map((i) => i.id).join(',')} stored=${items.every((i) => store.findEnvelope(i.sender, i.id) !== undefined)}`),
      failed: () => events.push('failed'),
    });
    gc.enqueue(item('a', 'alice'));
    gc.enqueue(item('b'));
    expect(gc.find('did:key:zSender', 'a')?.digest).toBe('digest-a');
    expect(gc.handleClaim('alice')).toBe('did:key:zSender');
    expect(events).toEqual([]);
    expect(store.findEnvelope('did:key:zSender', 'a')).toBeUndefined();
    await nextTick();
    expect(events).toEqual(['committed a,b stored=true']);
    expect(gc.find('did:key:zSender', 'a')).toBeUndefined();
    expect(store.nextPending('did:key:zRecipient', 0, 10).map((e) => e.id)).toEqual(['a', 'b']);
  });

  it('reports every envelope of a failed transaction and stores none of them', async () => {
    const events: string[] = [];
    const gc = new GroupCommit(store, {
      committed: () => events.push('committed'),
      failed: (items, err) => events.push(`failed ${items.length} ${err instanceof Error}`),
    });
    gc.enqueue(item('x'));
    gc.enqueue(item('x')); // violates UNIQUE (sender, id): the whole transaction rolls back
    await nextTick();
    expect(events).toEqual(['failed 2 true']);
    expect(store.findEnvelope('did:key:zSender', 'x')).toBeUndefined();
    gc.enqueue(item('y'));
    await nextTick();
    expect(events).toEqual(['failed 2 true', 'committed']);
  });

  it('writes lazy delivery counters with the next batch, or on their own after a short delay', async () => {
    const lazy = new AttemptLog();
    const committed: string[] = [];
    const gc = new GroupCommit(store, { committed: (items) => committed.push(...items.map((i) => i.id)), failed: () => {} }, lazy);
    gc.enqueue(item('a'));
    await nextTick();
    const seq = store.findEnvelope('did:key:zSender', 'a')?.seq ?? 0;
    lazy.record({ seq, attempts: 1, nextAttemptAt: 5, lastError: null });
    expect(lazy.attemptsOf(seq)).toBe(1);
    gc.enqueue(item('b'));
    await nextTick();
    expect(store.envelopeAt(seq)?.attempts).toBe(1);
    expect(lazy.attemptsOf(seq)).toBeUndefined();
    lazy.record({ seq, attempts: 2, nextAttemptAt: 6, lastError: { code: 'TIMEOUT', message: 'late' } });
    await new Promise((r) => setTimeout(r, LAZY_FLUSH_DELAY_MS + 20));
    expect(store.envelopeAt(seq)).toMatchObject({ attempts: 2, lastError: { code: 'TIMEOUT', message: 'late' } });
    expect(committed).toEqual(['a', 'b']);
  });
});
