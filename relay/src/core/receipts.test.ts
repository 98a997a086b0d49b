// Unit tests of the receipt replay (SPEC ACK-4) against a real SQLite file and a peer whose queued bytes the
// test controls: one chunk per event-loop turn, a pause while the peer is above the high-water mark, an end when
// it disconnects or the relay stops, and each chunk marked forwarded in the store.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../store/sqlite-store.ts';
import { Presence } from './presence.ts';
import { REPLAY_CHUNK, ReceiptForwarder } from './receipts.ts';
import type { Peer } from './types.ts';

const SENDER = 'did:key:zSender';
const HIGH_WATER = 1_000;

let dir: string;
let store: SqliteStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'baton-replay-test-'));
  store = new SqliteStore(join(dir, 'baton.sqlite'), 'normal');
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Stores `n` receipts for envelopes of SENDER, none forwarded (ids m0, m1, ...). */
function storeUnforwarded(n: number): void {
  store.commitBatch(Array.from({ length: n }, (_, i) => ({
    sender: 'did:key:zRecipient', id: `r${i}`, type: 'receipt', to: SENDER, recipient: null, digest: `d${i}`,
    json: `{"id":"r${i}"}`, acceptedAt: 1_000, exp: null, receipt: { forSender: SENDER, forId: `m${i}`, forwarded: false },
  })));
}

class FakePeer implements Peer {
  readonly agent = SENDER;
  readonly session = 's1';
  bufferedAmount = 0;
  readonly ids: string[] = [];
  sendText(text: string): void {
    this.ids.push((JSON.parse(text) as { id: string }).id);
  }
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function setup(): { forwarder: ReceiptForwarder; peer: FakePeer; presence: Presence; errors: unknown[] } {
  const presence = new Presence();
  const errors: unknown[] = [];
  const forwarder = new ReceiptForwarder(store, presence, HIGH_WATER, (err) => errors.push(err));
  const peer = new FakePeer();
  presence.add(peer);
  return { forwarder, peer, presence, errors };
}

describe('ReceiptForwarder.replay', () => {
  it('sends one chunk at once and the rest one chunk per turn, oldest first, marking each forwarded', async () => {
    storeUnforwarded(2 * REPLAY_CHUNK + 3);
    const { forwarder, peer, errors } = setup();
    forwarder.replay(peer);
    expect(peer.ids).toHaveLength(REPLAY_CHUNK);
    expect(store.unforwardedReceipts(SENDER, 10_000)).toHaveLength(REPLAY_CHUNK + 3);
    await turn();
    expect(peer.ids).toHaveLength(2 * REPLAY_CHUNK);
    await turn();
    await turn();
    expect(peer.ids).toEqual(Array.from({ length: 2 * REPLAY_CHUNK + 3 }, (_, i) => `m${i}`));
    expect(store.unforwardedReceipts(SENDER, 10_000)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('waits while the connection is above the high-water mark and goes on once it drained', async () => {
    storeUnforwarded(REPLAY_CHUNK + 5);
    const { forwarder, peer } = setup();
    forwarder.replay(peer);
    peer.bufferedAmount = HIGH_WATER + 1;
    await sleep(40);
    expect(peer.ids).toHaveLength(REPLAY_CHUNK);
    peer.bufferedAmount = 0;
    await sleep(40);
    expect(peer.ids).toHaveLength(REPLAY_CHUNK + 5);
  });

  it('stops when the connection goes away or the relay stops, leaving the rest unforwarded', async () => {
    storeUnforwarded(3 * REPLAY_CHUNK);
    const { forwarder, peer, presence } = setup();
    forwarder.replay(peer);
    presence.remove(peer);
    await turn();
    await turn();
    expect(peer.ids).toHaveLength(REPLAY_CHUNK);
    expect(store.unforwardedReceipts(SENDER, 10_000)).toHaveLength(2 * REPLAY_CHUNK);

    const next = new FakePeer();
    presence.add(next);
    forwarder.replay(next);
    forwarder.stop();
    await turn();
    await turn();
    expect(next.ids).toEqual(Array.from({ length: REPLAY_CHUNK }, (_, i) => `m${REPLAY_CHUNK + i}`));
  });

  it('reports a storage failure of a later chunk to onError', async () => {
    storeUnforwarded(REPLAY_CHUNK + 1);
    const { forwarder, peer, errors } = setup();
    forwarder.replay(peer);
    store.close();
    await turn();
    expect(errors).toHaveLength(1);
    store = new SqliteStore(join(dir, 'baton.sqlite'), 'normal');
    expect(store.unforwardedReceipts(SENDER, 10)).toHaveLength(1);
  });
});
