/**
 * `node bench/src/task-listing-cost.ts [tasks]`: the relay store's time per page of the task listing (SPEC TSK-18),
 * on its own. Stores `tasks` (default 100,000) completed tasks owned by one agent and handled by another, each
 * with its request event, then times one page of 100 for each kind of filter: by owner and by handler, as seen by
 * the owner and by the handler (`visibleTo`, what an agent's own listing uses), by state, and the same pages from
 * the middle of the list (`after`). The relay runs these on its event loop. Not part of `npm run bench`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newEnvelopeId } from '@baton/spec';
import { SqliteStore } from '../../relay/src/store/sqlite-store.ts';
import type { BatchWrite, TaskRow, TaskSelect } from '../../relay/src/store/store.ts';

const tasks = Number(process.argv[2] ?? 100_000);
const OWNER = `did:key:z6MkA${'a'.repeat(40)}`;
const HANDLER = `did:key:z6MkB${'b'.repeat(40)}`;
const dir = mkdtempSync(join(tmpdir(), 'baton-task-listing-'));
const store = new SqliteStore(join(dir, 'baton.sqlite'), 'normal');

function request(): BatchWrite {
  const id = newEnvelopeId();
  const create: Omit<TaskRow, 'requestSeq'> = {
    id, owner: OWNER, handler: HANDLER, capability: 'work.do', to: 'cap:work.do', state: 'completed', input: '{}', brief: null,
    deadline: null, attempts: 1, revision: 0, parent: null, thread: null, idempotencyKey: null, fingerprint: 'f', reviseOf: null,
    question: null, result: '{}', reason: null, lateResults: 0, events: 1, leaseUntil: null, createdAt: 1, updatedAt: 2, endedAt: 2,
  };
  return {
    sender: OWNER, id, type: 'request', to: 'cap:work.do', recipient: null, digest: 'd', json: '{}', acceptedAt: 1, exp: null, taskId: id,
    tasks: [{ create, event: { task: id, n: 1, at: 1, from: null, to: 'queued', reason: null, late: false } }],
  };
}

const t0 = performance.now();
for (let n = 0; n < tasks; n += 1000) store.commitBatch(Array.from({ length: Math.min(1000, tasks - n) }, request));
process.stdout.write(`task listing: ${tasks} tasks stored in ${((performance.now() - t0) / 1000).toFixed(1)} s; ms per page of 100 (median of 5)\n`);
const middle = store.listTasks({ owner: OWNER, limit: tasks })[Math.floor(tasks / 2)]?.id;
const pages: [string, TaskSelect][] = [
  ['owner', { owner: OWNER, limit: 100 }], ['handler', { handler: HANDLER, limit: 100 }],
  ['visibleTo the owner', { visibleTo: OWNER, limit: 100 }], ['visibleTo the handler', { visibleTo: HANDLER, limit: 100 }],
  ['state completed', { state: 'completed', limit: 100 }], ['state failed (none stored: reads every task)', { state: 'failed', limit: 100 }],
  ['owner, from the middle', { owner: OWNER, after: middle ?? '', limit: 100 }],
  ['visibleTo the owner, from the middle', { visibleTo: OWNER, after: middle ?? '', limit: 100 }],
];
for (const [name, q] of pages) {
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    rows = store.listTasks(q).length;
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  process.stdout.write(`  ${name}: ${(times[2] ?? Number.NaN).toFixed(2)} ms (${rows} rows)\n`);
}
store.close();
rmSync(dir, { recursive: true, force: true });
