/**
 * Peer bench process: the NATS JetStream worker of the work-queue comparison. Pulls from the durable consumer
 * (`consume()`, default buffering) and acks each message, recording each message's arrival time by the
 * sequence number its payload starts with. Reports when the parent's `expect` count has arrived.
 * Args: <server url>.
 */
import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { exitWithParent, fromParent, toParent } from '../lib/ipc.ts';
import { NATS_CONSUMER, NATS_STREAM } from '../lib/nats-names.ts';
import { nowMs } from '../lib/stats.ts';

exitWithParent();
const [server] = process.argv.slice(2);
const PIPE = 0x7c; // '|'
const nc = await connect({ servers: server! });
const consumer = await jetstream(nc).consumers.get(NATS_STREAM, NATS_CONSUMER);
const messages = await consumer.consume();
const arrivals: number[] = [];
let received = 0;
let tLast = 0;
let expected = Number.POSITIVE_INFINITY;

function report(): void {
  if (received >= expected) toParent({ type: 'done', received, tLast, arrivals });
}

void fromParent('expect').then((m) => {
  expected = Number(m.count);
  report();
});
toParent({ type: 'ready' });
for await (const m of messages) {
  let seq = 0;
  for (const byte of m.data) {
    if (byte === PIPE) break;
    seq = seq * 10 + (byte - 0x30);
  }
  tLast = nowMs();
  arrivals[seq] = tLast;
  m.ack();
  received++;
  if (received === expected) report();
}
