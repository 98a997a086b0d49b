/**
 * Crash safety (issue 3, SPEC ACK-1, DLV-1, DLV-2): the relay runs as a child process; several raw senders push a
 * few thousand envelopes to one receiver built on @baton/client; the relay is killed with SIGKILL at a random
 * moment and restarted on the same data directory and port. Every envelope a sender saw `accepted` must reach
 * the receiving application exactly once, and no envelope that was neither accepted nor committed before the
 * crash may reach it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { createEnvelope, generateKeyPair, type Envelope, type KeyPair } from '@baton/spec';
import { connect, type Agent } from '@baton/client';
import { RawSender } from './raw-sender.ts';
import { freePort, killRelay, spawnRelay, type RelayProcess } from './relay-process.ts';

const SENDERS = 4;
const PER_SENDER = 750;
const WINDOW = 64;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const keyOf = (env: { from: string; id: string }): string => `${env.from} ${env.id}`;

/** (sender, id) of every envelope in the relay's SQLite file (opened after the crash, before the restart). */
function committedEnvelopes(dataDir: string): Set<string> {
  const db = new DatabaseSync(join(dataDir, 'baton.sqlite'));
  try {
    const rows = db.prepare('SELECT sender, id FROM envelopes').all() as { sender: string; id: string }[];
    return new Set(rows.map((r) => `${r.sender} ${r.id}`));
  } finally {
    db.close();
  }
}

/** Counts what the receiving application sees, and lets the test wait for a set of envelopes. */
class Application {
  readonly seen = new Map<string, number>();
  #waiting: { keys: Set<string>; resolve: () => void } | undefined;

  record(env: Envelope): void {
    const k = keyOf(env);
    this.seen.set(k, (this.seen.get(k) ?? 0) + 1);
    if (this.#waiting !== undefined && [...this.#waiting.keys].every((key) => this.seen.has(key))) this.#waiting.resolve();
  }

  waitFor(keys: Set<string>, timeoutMs: number): Promise<void> {
    if ([...keys].every((key) => this.seen.has(key))) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const missing = [...keys].filter((key) => !this.seen.has(key)).length;
        reject(new Error(`${missing} of ${keys.size} envelopes did not reach the application`));
      }, timeoutMs);
      this.#waiting = { keys, resolve: () => { clearTimeout(timer); resolve(); } };
    });
  }
}

describe('crash safety', () => {
  it('delivers every accepted envelope exactly once to the application across a SIGKILL of the relay', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'baton-crash-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const port = await freePort();
    let relay: RelayProcess = await spawnRelay(dataDir, port, ['--durability', 'fsync']);
    cleanups.push(() => killRelay(relay));

    const app = new Application();
    const receiverKey = generateKeyPair();
    const receiver: Agent = await connect({
      url: relay.url, key: receiverKey, logger: { warn: () => {} },
      reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
    });
    cleanups.push(() => receiver.close());
    receiver.onMessage((_body, env) => app.record(env));

    const keys: KeyPair[] = Array.from({ length: SENDERS }, () => generateKeyPair());
    const batches: Envelope[][] = keys.map((key) => Array.from({ length: PER_SENDER }, (_, n) =>
      createEnvelope(key, { type: 'message', to: receiverKey.did, body: { n, pad: 'x'.repeat(200) } })));

    // Phase 1: push until a random number of envelopes was accepted, then SIGKILL the relay mid-stream.
    const total = SENDERS * PER_SENDER;
    const killAt = Math.floor(total * (0.2 + Math.random() * 0.5));
    let acceptedSoFar = 0;
    let kill: Promise<void> | undefined;
    const onAccepted = (): void => {
      if (++acceptedSoFar === killAt) kill = killRelay(relay);
    };
    const first = await Promise.all(keys.map((key) => RawSender.connect(relay.url, key)));
    const sent = await Promise.all(first.map((s, i) => s.pump(batches[i]!, WINDOW, onAccepted)));
    await (kill ?? killRelay(relay));
    await Promise.all(first.map((s) => s.closed));
    const committed = committedEnvelopes(dataDir);

    // Phase 2: restart on the same data dir and port. Senders re-send half of what was never answered (same
    // bytes) and everything not sent yet; the other half is abandoned.
    relay = await spawnRelay(dataDir, port, ['--durability', 'fsync']);
    const accepted = new Set<string>();
    const abandoned = new Set<string>();
    const second = await Promise.all(keys.map((key) => RawSender.connect(relay.url, key)));
    await Promise.all(second.map(async (s, i) => {
      const batch = batches[i]!;
      const log = first[i]!.log;
      for (const id of log.accepted) accepted.add(`${keys[i]!.did} ${id}`);
      expect([...log.refused.values()]).toEqual([]);
      const resend: Envelope[] = [];
      batch.forEach((env, n) => {
        const answered = log.accepted.has(env.id);
        if (n >= sent[i]!) resend.push(env);
        else if (!answered && n % 2 === 0) resend.push(env);
        else if (!answered) abandoned.add(keyOf(env));
      });
      await s.pump(resend, WINDOW);
      expect([...s.log.refused.values()]).toEqual([]);
      for (const id of s.log.accepted) accepted.add(`${keys[i]!.did} ${id}`);
    }));

    // Everything accepted, plus abandoned envelopes the relay had committed before it died, must arrive.
    const expected = new Set([...accepted, ...[...abandoned].filter((k) => committed.has(k))]);
    await app.waitFor(expected, 60_000);
    // A marker per sender, accepted last: mailbox order (DLV-2) puts every earlier first attempt before it.
    const markers = new Set<string>();
    await Promise.all(second.map(async (s, i) => {
      const marker = createEnvelope(keys[i]!, { type: 'message', to: receiverKey.did, body: { marker: true } });
      markers.add(keyOf(marker));
      await s.pump([marker], 1);
    }));
    await app.waitFor(markers, 30_000);

    const duplicates = [...app.seen].filter(([, n]) => n !== 1);
    expect(duplicates).toEqual([]);
    const unexpected = [...app.seen.keys()].filter((k) => !expected.has(k) && !markers.has(k));
    expect(unexpected).toEqual([]);
    expect(accepted.size).toBeGreaterThanOrEqual(killAt);
    expect(app.seen.size).toBe(expected.size + markers.size);
    console.log(`crash-safety: killed after ${killAt} accepted; ${accepted.size} accepted in total, ${abandoned.size} abandoned `
      + `(${expected.size - accepted.size} of them committed before the crash), ${app.seen.size - markers.size} delivered once each`);
    await Promise.all(second.map((s) => s.close()));
  }, 120_000);
});
