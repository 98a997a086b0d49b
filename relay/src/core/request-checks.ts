/**
 * The task checks of a `request` (SPEC TSK-10, TSK-11, TSK-14..TSK-16), in RTE-1 order: in the type-specific
 * step the parent task (UNKNOWN_TASK, NOT_TASK_PARTY, TASK_TERMINAL), the revision (UNKNOWN_TASK,
 * INVALID_TRANSITION, REVISION_LIMIT: the first refusal flags the thread and sends a needs-human notice) and
 * the idempotency key (an equal duplicate is answered with the existing task; a different one is
 * IDEMPOTENCY_CONFLICT); after the recipient step the input against the chosen recipient's manifest
 * (INPUT_SCHEMA_VIOLATION) and the deadline (exp, else the manifest's timeout_ms). `create` records the task.
 */
import { createHash } from 'node:crypto';
import {
  canonicalize, checkValue, isTerminal,
  type CapabilityManifest, type Envelope, type Limits, type RequestBody,
} from '@baton/spec';
import type { ThreadRecord } from '../store/store.ts';
import type { TaskBook, Transition } from './task-book.ts';
import type { Rejection } from './task-checks.ts';
import type { LiveTask } from './task-registry.ts';
import type { Registry } from './registry.ts';
import type { Clock } from './types.ts';

/** A request that passed the type-specific step. */
export interface RequestPlan {
  readonly kind: 'new';
  readonly parent: LiveTask | undefined;
  readonly thread: string | null;
  readonly revision: number;
  /** The thread counter to write when the request is accepted (revisions). */
  readonly threadWrite: ThreadRecord | undefined;
  readonly fingerprint: string;
}

/** An idempotent duplicate (TSK-14): answered with the existing task; nothing is stored. */
export interface DuplicateRequest {
  readonly kind: 'duplicate';
  readonly task: LiveTask;
}

/** What the request checks read and do. */
export interface RequestCheckDeps {
  readonly book: TaskBook;
  readonly agents: Registry;
  readonly clock: Clock;
  readonly limits: Limits;
  /** The first REVISION_LIMIT refusal of a thread: flag it and tell `sender` (TSK-16). */
  needsHuman(sender: string, revised: LiveTask, thread: ThreadRecord): void;
}

/** Hex SHA-256 of JCS({to, capability, input}): what TSK-14 compares. */
export function requestFingerprint(to: string, capability: string, input: unknown): string {
  return createHash('sha256').update(canonicalize({ to, capability, input })).digest('hex');
}

/** Request checks. */
export class RequestChecks {
  readonly #d: RequestCheckDeps;

  constructor(deps: RequestCheckDeps) {
    this.#d = deps;
  }

  /** The type-specific step for a request. */
  check(env: Envelope): Rejection | RequestPlan | DuplicateRequest {
    const d = this.#d;
    const registry = d.book.registry;
    const body = env.body as unknown as RequestBody;
    let parent: LiveTask | undefined;
    if (env.parent !== undefined) {
      parent = registry.get(env.parent);
      if (parent === undefined) return { code: 'UNKNOWN_TASK', message: `parent ${env.parent} names no task the relay knows` };
      if (parent.handler !== env.from) return { code: 'NOT_TASK_PARTY', message: `only the handler of task ${parent.id} creates sub-tasks of it` };
      if (isTerminal(parent.state)) return { code: 'TASK_TERMINAL', message: `parent task ${parent.id} is ${parent.state}` };
    }
    const thread = env.thread ?? parent?.thread ?? null;
    let revision = 0;
    let threadWrite: ThreadRecord | undefined;
    if (body.revise_of !== undefined) {
      const revised = registry.get(body.revise_of);
      if (revised === undefined) return { code: 'UNKNOWN_TASK', message: `revise_of ${body.revise_of} names no task the relay knows` };
      if (revised.state !== 'completed') return { code: 'INVALID_TRANSITION', message: `task ${revised.id} is ${revised.state}; only a completed task is revised` };
      if (revised.thread !== env.thread || env.thread === undefined) {
        return { code: 'INVALID_TRANSITION', message: `task ${revised.id} is not on thread ${String(env.thread)}` };
      }
      const counter = registry.thread(env.thread);
      if (counter.revisions + 1 > d.limits.max_revisions) {
        if (counter.flaggedAt === null) d.needsHuman(env.from, revised, { ...counter, flaggedAt: d.clock.now() });
        return { code: 'REVISION_LIMIT', message: `thread ${env.thread} reached max_revisions (${d.limits.max_revisions}); a person must look at it` };
      }
      revision = counter.revisions + 1;
      threadWrite = { ...counter, revisions: revision };
    }
    const fingerprint = requestFingerprint(env.to, body.capability, body.input);
    if (env.idempotency_key !== undefined) {
      const existing = registry.byKey(env.from, env.idempotency_key, d.clock.now() - d.limits.dedupe_window_ms);
      if (existing !== undefined) {
        if (existing.fingerprint === fingerprint) return { kind: 'duplicate', task: existing };
        return { code: 'IDEMPOTENCY_CONFLICT', message: `idempotency_key ${env.idempotency_key} was used for task ${existing.id} with other to, capability or input` };
      }
    }
    return { kind: 'new', parent, thread, revision, threadWrite, fingerprint };
  }

  /** The manifest of the request's capability in `recipient`'s latest registration, if any. */
  manifest(env: Envelope, recipient: string): CapabilityManifest | undefined {
    const name = (env.body as unknown as RequestBody).capability;
    return this.#d.agents.get(recipient)?.manifests.find((m) => m.name === name);
  }

  /** TSK-10 after the recipient step: the input against the recipient's manifest. */
  checkInput(env: Envelope, recipient: string): Rejection | undefined {
    const m = this.manifest(env, recipient);
    const problem = m === undefined ? null : checkValue(m.input_schema, (env.body as unknown as RequestBody).input, 'INPUT_SCHEMA_VIOLATION');
    return problem === null ? undefined : { code: problem.code, message: `input does not match the input_schema of ${m?.name ?? ''}: ${problem.message}` };
  }

  /** Records the new task (queued) with its deadline (TSK-11). */
  create(env: Envelope, plan: RequestPlan, recipient: string): Transition {
    const d = this.#d;
    const now = d.clock.now();
    const body = env.body as unknown as RequestBody;
    const timeout = this.manifest(env, recipient)?.timeout_ms;
    if (plan.threadWrite !== undefined) d.book.registry.setThread(plan.threadWrite);
    return d.book.create({
      id: env.id, owner: env.from, handler: null, capability: body.capability, to: env.to, state: 'queued',
      input: JSON.stringify(body.input), brief: body.brief === undefined ? null : JSON.stringify(body.brief),
      deadline: env.exp ?? (timeout === undefined ? null : now + timeout), attempts: 0, revision: plan.revision,
      parent: plan.parent?.id ?? null, thread: plan.thread, idempotencyKey: env.idempotency_key ?? null,
      fingerprint: plan.fingerprint, reviseOf: body.revise_of ?? null, question: null, result: null, reason: null,
      lateResults: 0, leaseUntil: null, createdAt: now,
    }, plan.threadWrite === undefined ? {} : { thread: plan.threadWrite });
  }
}
