/**
 * Task notices (SPEC TSK-17): relay-signed `notice` envelopes with body `{event, for: task id, reason, task:
 * TaskSummary, message?}`, parent = the task id, thread = the task's thread. The summary is the task after
 * the transition.
 */
import type { KeyPair, TaskNoticeBody, TaskNoticeEvent } from '@baton/spec';
import type { TaskWrite } from '../store/store.ts';
import { buildNotice, type BuiltNotice } from './notice-builder.ts';
import { taskSummary } from './task-book.ts';
import type { LiveTask } from './task-registry.ts';

/** Builds the task notice `event` about `task` (as it is after the transition) for agent `to`. */
export function taskNotice(
  key: KeyPair, to: string, task: LiveTask, event: Exclude<TaskNoticeEvent, 'dead-lettered'>, reason: string, now: number,
  tasks?: readonly TaskWrite[], message?: string,
): BuiltNotice {
  const body: TaskNoticeBody = { event, for: task.id, reason, task: taskSummary(task), ...(message === undefined ? {} : { message }) };
  return buildNotice(key, { to, about: task.id, thread: task.thread, body, now, taskId: task.id, ...(tasks === undefined ? {} : { tasks }) });
}
