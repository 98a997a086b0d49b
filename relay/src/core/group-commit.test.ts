// Unit tests of the group commit against a real SQLite file: one transaction per tick, hooks only after
// the batch is durable (its WAL sync returned), all-or-nothing on failure, and queued envelopes visible to
// dedupe and handle checks until then.
import { fdatasync, mkdtempSync, rmSync } from 'node:fs';
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

/** Waits (up to 2 s) until `cond` holds. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
}

/** A store in a fresh file whose WAL syncs wait until the test releases them (or fail with `fail`). */
function heldStore(fail?: Error): { store: SqliteStore; held: (() => void)[] } {
  const held: (() => void)[] = [];
  const s = new SqliteStore(join(dir, 'held.sqlite'), 'fsync', {
    fdatasync: (fd, cb) => held.push(() => (fail === undefined ? fdatasync(fd, cb) : cb(fail))),
  });
  return { store: s, held };
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
    await until(() => events.length > 0);
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
    await until(() => events.length > 1);
    expect(events).toEqual(['failed 2 true', 'committed']);
  });

  it('writes lazy delivery counters with the next batch, or on their own after a short delay', async () => {
    const lazy = new AttemptLog();
    const committed: string[] = [];
    const gc = new GroupCommit(store, { committed: (items) => committed.push(...items.map((i) => i.id)), failed: () => {} }, lazy);
    gc.enqueue(item('a'));
    await until(() => committed.length === 1);
    const seq = store.findEnvelope('did:key:zSender', 'a')?.seq ?? 0;
    lazy.record({ seq, attempts: 1, nextAttemptAt: 5, lastError: null });
    expect(lazy.attemptsOf(seq)).toBe(1);
    gc.enqueue(item('b'));
    await until(() => committed.length === 2);
    expect(store.envelopeAt(seq)?.attempts).toBe(1);
    expect(lazy.attemptsOf(seq)).toBeUndefined();
    lazy.record({ seq, attempts: 2, nextAttemptAt: 6, lastError: { code: 'TIMEOUT', message: 'late' } });
    await new Promise((r) => setTimeout(r, LAZY_FLUSH_DELAY_MS + 20));
    expect(store.envelopeAt(seq)).toMatchObject({ attempts: 2, lastError: { code: 'TIMEOUT', message: 'late' } });
    expect(committed).toEqual(['a', 'b']);
  });

  it('acknowledges a batch only once its WAL sync returned, with one sync in flight covering the batches before it', async () => {
    const { store: s, held } = heldStore();
    try {
      const committed: string[] = [];
      const gc = new GroupCommit(s, { committed: (items) => committed.push(items.map((i) => i.id).join(',')), failed: () => {} });
      gc.enqueue(item('a'));
      await nextTick();
      // committed and visible, not yet durable: no hook, a duplicate still finds it queued
      expect(s.findEnvelope('did:key:zSender', 'a')?.id).toBe('a');
      expect(gc.find('did:key:zSender', 'a')?.id).toBe('a');
      expect(committed).toEqual([]);
      expect(held).toHaveLength(1);
      gc.enqueue(item('b'));
      await nextTick();
      gc.enqueue(item('c'));
      await nextTick();
      expect(held).toHaveLength(1); // b and c wait for the next sync: at most one in flight
      held[0]!();
      await until(() => committed.length === 1);
      expect(committed).toEqual(['a']);
      expect(gc.find('did:key:zSender', 'a')).toBeUndefined();
      expect(gc.find('did:key:zSender', 'b')?.id).toBe('b');
      await until(() => held.length === 2); // one sync for both b and c
      held[1]!();
      await until(() => committed.length === 3);
      expect(committed).toEqual(['a', 'b', 'c']);
      expect(held).toHaveLength(2);
    } finally {
      s.close();
    }
  });

  it('flush() commits and syncs at once: every hook has run when it returns', async () => {
    const { store: s, held } = heldStore();
    try {
      const committed: string[] = [];
      const gc = new GroupCommit(s, { committed: (items) => committed.push(...items.map((i) => i.id)), failed: () => {} });
      gc.enqueue(item('a'));
      await nextTick();
      gc.enqueue(item('b'));
      gc.flush();
      expect(committed).toEqual(['a', 'b']);
      held[0]!(); // the async sync returning later answers nobody twice
      await new Promise((r) => setTimeout(r, 20));
      expect(committed).toEqual(['a', 'b']);
    } finally {
      s.close();
    }
  });

  it('fails the batch whose WAL sync failed, and every later batch (no retry after an fsync error)', async () => {
    const eio = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    const { store: s, held } = heldStore(eio);
    try {
      const events: string[] = [];
      const gc = new GroupCommit(s, {
        committed: (items) => events.push(`committed ${items.map((i) => i.id).join(',')}`),
        failed: (items, err) => events.push(`failed ${items.map((i) => i.id).join(',')} ${(err as Error).message}`),
      });
      gc.enqueue(item('a'));
      await nextTick();
      held[0]!();
      expect(events).toEqual(['failed a EIO: i/o error, fdatasync']);
      expect(gc.find('did:key:zSender', 'a')).toBeUndefined();
      gc.enqueue(item('b'));
      await nextTick();
      expect(events).toHaveLength(2);
      expect(events[1]).toMatch(/^failed b the store stopped writing after a failed WAL sync/);
      expect(s.findEnvelope('did:key:zSender', 'b')).toBeUndefined();
      expect(held).toHaveLength(1);
    } finally {
      s.close();
    }
  });

  it('with durability normal, reports a batch as soon as it is committed', async () => {
    const s = new SqliteStore(join(dir, 'normal.sqlite'), 'normal');
    try {
      const committed: string[] = [];
      const gc = new GroupCommit(s, { committed: (items) => committed.push(...items.map((i) => i.id)), failed: () => {} });
      gc.enqueue(item('a'));
      await nextTick();
      expect(committed).toEqual(['a']);
    } finally {
      s.close();
    }
  });
});
