/**
 * `node bench/src/store-cost.ts [messages] [batch]`: the relay store's share of a routed message, on its own.
 * Writes `messages` (default 50,000) message envelopes through `SqliteStore.commitBatch` in group commits of
 * `batch` (default 32) and, one commit later, a receipt for each, forwarded at once (the receipt envelope, and the
 * message marked delivered), as the relay does for a routed message whose sender is online; 8 senders and 8 recipients, 400-byte
 * envelopes, UUIDv7 ids. Prints the time spent in commitBatch per message (µs, event-loop time in the relay) for
 * durability normal and fsync, three runs each in alternation on fresh files, and the database size per message.
 * Not part of `npm run bench`.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newEnvelopeId } from '@baton/spec';
import { SqliteStore, type Durability } from '../../relay/src/store/sqlite-store.ts';
import type { BatchWrite } from '../../relay/src/store/store.ts';

const messages = Number(process.argv[2] ?? 50_000);
const batch = Number(process.argv[3] ?? 32);
const did = (c: string, i: number): string => `did:key:z6Mk${c.repeat(43)}${i}`;
const SENDERS = Array.from({ length: 8 }, (_, i) => did('a', i));
const RECIPIENTS = Array.from({ length: 8 }, (_, i) => did('b', i));
const JSON_TEXT = JSON.stringify({ body: 'x'.repeat(380) });
const DIGEST = 'd'.repeat(64);

/** One run on a fresh data file: µs of commitBatch per message. */
function run(durability: Durability): number {
  const dir = mkdtempSync(join(tmpdir(), 'baton-store-cost-'));
  const store = new SqliteStore(join(dir, 'baton.sqlite'), durability);
  let sent: { sender: string; id: string; recipient: string }[] = [];
  let elapsed = 0;
  for (let n = 0; n < messages; n += batch) {
    const now = Date.now();
    const writes: BatchWrite[] = sent.map((m) => ({
      sender: m.recipient, id: newEnvelopeId(), type: 'receipt', to: m.sender, recipient: null, digest: DIGEST,
      json: JSON_TEXT, acceptedAt: now, exp: null, receipt: { forSender: m.sender, forId: m.id, forwarded: true },
    }));
    sent = [];
    for (let i = 0; i < batch; i++) {
      const sender = SENDERS[i % 8] as string;
      const recipient = RECIPIENTS[(i * 3) % 8] as string;
      const id = newEnvelopeId();
      writes.push({ sender, id, type: 'message', to: recipient, recipient, digest: DIGEST, json: JSON_TEXT, acceptedAt: now, exp: now + 60_000 });
      sent.push({ sender, id, recipient });
    }
    const t0 = performance.now();
    store.commitBatch(writes);
    elapsed += performance.now() - t0;
  }
  store.close();
  const dbBytes = statSync(join(dir, 'baton.sqlite')).size;
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`  ${durability}: ${((elapsed * 1000) / messages).toFixed(1)} µs per message (database ${(dbBytes / messages).toFixed(0)} bytes per message)\n`);
  return (elapsed * 1000) / messages;
}

process.stdout.write(`store cost: ${messages} messages and their receipts, group commits of ${batch}\n`);
const results: Record<Durability, number[]> = { normal: [], fsync: [] };
for (let i = 0; i < 3; i++) for (const d of ['normal', 'fsync'] as const) results[d].push(run(d));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[1] ?? Number.NaN;
process.stdout.write(`median: normal ${median(results.normal).toFixed(1)} µs, fsync ${median(results.fsync).toFixed(1)} µs per message\n`);
