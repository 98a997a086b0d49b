/**
 * Handler leases, live events and sub-tasks against a real relay with a short `task_lease_ms` (SPEC TSK-12,
 * TSK-15, TSK-19, DLV-3): a long handler keeps its lease with `working` frames (runs once, never requeued);
 * a handler that dies loses it (the owner's handle reports `requeued`, another provider finishes); `watch()`
 * brings `task-event` frames (renewed after a reconnection); `ctx.delegate` creates a sub-task on the parent's thread.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { newEnvelopeId } from '@baton/spec';
import type { TaskEvent, TaskSummary } from '@baton/spec';
import type { TaskHandle, TaskUpdate } from '../src/index.ts';
import { FaultySockets, eventually, gate, manifest, startHarness, textSchema } from './helpers.ts';
import type { Harness } from './helpers.ts';

const LEASE_MS = 300;
let h: Harness;
afterEach(async () => { await h.stop(); });

async function updatesOf(handle: TaskHandle): Promise<TaskUpdate[]> {
  const all: TaskUpdate[] = [];
  for await (const update of handle.events()) all.push(update);
  return all;
}

describe('leases', () => {
  it('a handler running for several leases keeps its task with working frames: it runs once, never requeued', async () => {
    h = await startHarness({ limits: { task_lease_ms: LEASE_MS } });
    const faults = new FaultySockets();
    const provider = await h.agent({ WebSocket: faults.WebSocket });
    let runs = 0;
    provider.handle('long', async () => {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, LEASE_MS * 4));
      return { text: 'done' };
    }, { receipt: 'on-receive' });
    await provider.register(manifest('long', {}, textSchema));
    const owner = await h.agent();
    const handle = await owner.delegate('long', {});
    const updates = updatesOf(handle);
    await expect(handle.result).resolves.toEqual({ text: 'done' });
    expect(runs).toBe(1);
    expect((await updates).some((u) => u.kind === 'requeued')).toBe(false);
    expect(faults.frames('working').filter((f) => f.id === handle.id).length).toBeGreaterThanOrEqual(3);
  });

  it('a handler that dies loses its lease: the owner sees requeued, another provider completes the task', async () => {
    h = await startHarness({ limits: { task_lease_ms: LEASE_MS } });
    const faults = new FaultySockets();
    const doomed = await h.agent({ WebSocket: faults.WebSocket, reconnect: false });
    const started = gate();
    doomed.handle('job', async () => {
      started.open();
      await new Promise(() => {});
    }, { receipt: 'on-receive' });
    await doomed.register(manifest('job', {}, textSchema));
    const owner = await h.agent();
    const handle = await owner.delegate('job', {});
    const updates = updatesOf(handle);
    await started.promise;

    faults.blocked = true;
    faults.kill();
    const rescuer = await h.agent();
    rescuer.handle('job', () => ({ text: 'rescued' }));
    await rescuer.register(manifest('job', {}, textSchema));
    await expect(handle.result).resolves.toEqual({ text: 'rescued' });
    expect((await updates).find((u) => u.kind === 'requeued')).toMatchObject({ kind: 'requeued', reason: 'HANDLER_LOST' });
  });
});

describe('watch and sub-tasks', () => {
  it('watch() brings task-event frames for own tasks; ctx.delegate creates a sub-task on the parent thread', async () => {
    h = await startHarness();
    const worker = await h.agent();
    worker.handle('part', (input) => ({ text: `part ${(input as { text: string }).text}` }));
    await worker.register(manifest('part', textSchema, textSchema));
    const lead = await h.agent();
    let sub: TaskHandle | undefined;
    lead.handle('whole', async (_input, ctx) => {
      sub = await ctx.delegate('part', { text: 'a' });
      return { text: `whole(${String((await sub.result as { text: string }).text)})` };
    });
    await lead.register(manifest('whole', {}, textSchema));
    const events: { task: TaskSummary; event: TaskEvent }[] = [];
    const owner = await h.agent();
    owner.onTaskEvent((task, event) => events.push({ task, event }));
    await owner.watch();

    const thread = newEnvelopeId();
    const handle = await owner.delegate('whole', {}, { thread });
    await expect(handle.result).resolves.toEqual({ text: 'whole(part a)' });
    expect(sub?.state).toBe('completed');
    const mine = events.filter((e) => e.task.id === handle.id).map((e) => e.event.to);
    expect(mine[0]).toBe('queued');
    expect(mine).toContain('completed');
    // The lead (not the owner) owns the sub-task: the owner's watch does not show it.
    expect(events.some((e) => e.task.id === sub?.id)).toBe(false);
    expect(events.find((e) => e.task.id === handle.id)?.task.thread).toBe(thread);
  });

  it('watching is renewed after a reconnection', async () => {
    h = await startHarness();
    const provider = await h.agent();
    provider.handle('echo', (input) => input);
    await provider.register(manifest('echo', textSchema, textSchema));
    const faults = new FaultySockets();
    const owner = await h.agent({ WebSocket: faults.WebSocket });
    const seen: string[] = [];
    owner.onTaskEvent((task) => seen.push(task.id));
    await owner.watch();
    faults.kill();
    await eventually(() => faults.frames('watch').length === 2 && owner.state === 'open', 'a second watch frame');
    const handle = await owner.delegate('echo', { text: 'hi' });
    await handle.result;
    await eventually(() => seen.includes(handle.id), 'a task-event after the reconnection');
  });
});
