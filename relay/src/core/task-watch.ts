/**
 * Live task events (SPEC TSK-19): connections that sent `watch` receive `{op:'task-event', task, event}` for
 * every committed transition of a task their agent owns. Not stored, not acknowledged, not replayed.
 */
import type { TaskEvent, TaskSummary } from '@baton/spec';
import { Presence } from './presence.ts';
import type { Peer } from './types.ts';

/** Watching connections by agent (the same grouping as presence, for the connections that sent `watch`). */
export class TaskWatch {
  readonly #watching = new Presence();

  /** Marks `peer` as watching its agent's tasks. */
  add(peer: Peer): void {
    this.#watching.add(peer);
  }

  /** Forgets a closed connection. */
  remove(peer: Peer): void {
    this.#watching.remove(peer);
  }

  /** Sends a committed transition to the owner's watching connections. */
  publish(owner: string, task: TaskSummary, event: TaskEvent): void {
    if (!this.#watching.isOnline(owner)) return;
    const text = JSON.stringify({ op: 'task-event', task, event });
    for (const peer of this.#watching.peers(owner)) peer.sendText(text);
  }
}
