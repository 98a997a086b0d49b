/**
 * Peer bench process: the NATS JetStream producer of the work-queue comparison. At start-up it creates a
 * file-backed work-queue stream and a durable pull consumer with explicit acks (`lib/nats-names.ts`); on
 * `start` it publishes with PubAck (each publish waits for the server's ack) keeping <window> publishes in
 * flight for <duration ms>. Each payload starts with its sequence number and a `|`, padded to <payload bytes>.
 * Args: <server url> <duration ms> <payload bytes> <window>.
 */
import { connect } from '@nats-io/transport-node';
import { AckPolicy, RetentionPolicy, StorageType, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { exitWithParent, fromParent, toParent } from '../lib/ipc.ts';
import { NATS_CONSUMER, NATS_STREAM, NATS_SUBJECT } from '../lib/nats-names.ts';
import { closedLoop } from '../lib/pool.ts';
import { nowMs } from '../lib/stats.ts';

exitWithParent();
const [server, durationArg, payloadArg, windowArg] = process.argv.slice(2);
const nc = await connect({ servers: server! });
const jsm = await jetstreamManager(nc);
await jsm.streams.add({ name: NATS_STREAM, subjects: [NATS_SUBJECT], storage: StorageType.File, retention: RetentionPolicy.Workqueue });
await jsm.consumers.add(NATS_STREAM, { durable_name: NATS_CONSUMER, ack_policy: AckPolicy.Explicit });
const js = jetstream(nc);
const padding = 'x'.repeat(Number(payloadArg));
const sendTimes: number[] = [];
let seq = 0;

async function publishOne(): Promise<void> {
  const n = seq++;
  const payload = `${n}|${padding}`.slice(0, Math.max(padding.length, String(n).length + 1));
  sendTimes[n] = nowMs();
  await js.publish(NATS_SUBJECT, payload);
}

toParent({ type: 'ready' });
await fromParent('start');
const t0 = nowMs();
const result = await closedLoop(publishOne, Number(windowArg), { durationMs: Number(durationArg) });
toParent({ type: 'done', t0, sent: seq, acked: result.completed, errors: result.errors, firstError: result.firstError ?? null, sendTimes });
