/**
 * Live task events (SPEC TSK-19): connections that sent `watch` receive `{op:'task-event', task, event}` for
 * every committed transition of a task their agent owns. Not stored, not acknowledged, not replayed.
 */
import type { TaskEvent, TaskSummary } from '@baton/spec';
import type { Peer } from './types.ts';

/** Watching connections by agent. */
export class TaskWatch {
  readonly #byAgent = new Map<string, Set<Peer>>();

  /** Marks `peer` as watching its agent's tasks. */
  add(peer: Peer): void {
    let set = this.#byAgent.get(peer.agent);
    if (set === undefined) this.#byAgent.set(peer.agent, (set = new Set()));
    set.add(peer);
  }

  /** Forgets a closed connection. */
  remove(peer: Peer): void {
    const set = this.#byAgent.get(peer.agent);
    if (set === undefined) return;
    set.delete(peer);
    if (set.size === 0) this.#byAgent.delete(peer.agent);
  }

  /** Sends a committed transition to the owner's watching connections. */
  publish(owner: string, task: TaskSummary, event: TaskEvent): void {
    const set = this.#byAgent.get(owner);
    if (set === undefined) return;
    const text = JSON.stringify({ op: 'task-event', task, event });
    for (const peer of set) peer.sendText(text);
  }
}
