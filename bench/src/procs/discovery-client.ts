/**
 * Scale bench process: one authenticated agent sending `discover` frames (SPEC DIS-1) one at a time over a
 * raw socket, alternating a capability query and a tag query (limit 50), and timing each from the send to
 * the arrival of its `discovered` frame (parsing and checking the answer is not counted). Args: <relay url>
 * <queries> <registered agents>.
 */
import WebSocket from 'ws';
import { generateKeyPair } from '@baton/spec';
import { exitWithParent, fromParent, toParent } from '../lib/ipc.ts';
import { connectRaw } from '../lib/raw-agent.ts';
import { TAG_GROUPS, capabilityGroups, capabilityName, tagName } from '../lib/registry-workload.ts';
import { nowMs } from '../lib/stats.ts';

exitWithParent();
const [url, queriesArg, agentsArg] = process.argv.slice(2);
const queries = Number(queriesArg);
const groups = capabilityGroups(Number(agentsArg));
const LIMIT = 50;
const WARM_UP = 100;
const ws = await connectRaw(url!, generateKeyPair());

function query(q: number): Record<string, unknown> {
  return q % 2 === 0
    ? { capability: capabilityName(Math.floor(q / 2) % groups), limit: LIMIT }
    : { tag: tagName(Math.floor(q / 2) % TAG_GROUPS), limit: LIMIT };
}

/** One discover round trip: latency in ms, entries returned and the answer's size in bytes. */
function discover(q: number): Promise<{ ms: number; entries: number; bytes: number }> {
  return new Promise((resolve) => {
    const ref = `q${q}`;
    const t = nowMs();
    ws.once('message', (data: WebSocket.RawData) => {
      const ms = nowMs() - t;
      const text = String(data);
      const frame = JSON.parse(text) as { op: string; ref?: string; agents?: unknown[] };
      const entries = frame.op === 'discovered' && frame.ref === ref ? frame.agents?.length ?? 0 : -1;
      resolve({ ms, entries, bytes: Buffer.byteLength(text) });
    });
    ws.send(JSON.stringify({ op: 'discover', ref, query: query(q) }));
  });
}

for (let q = 0; q < WARM_UP; q++) await discover(q);
toParent({ type: 'ready' });
await fromParent('start');
const capability: number[] = [];
const tag: number[] = [];
let short = 0;
let bytes = 0;
for (let q = 0; q < queries; q++) {
  const r = await discover(q);
  (q % 2 === 0 ? capability : tag).push(r.ms);
  if (r.entries !== LIMIT) short++;
  bytes += r.bytes;
}
toParent({ type: 'done', capability, tag, short, meanBytes: bytes / Math.max(1, queries) });
