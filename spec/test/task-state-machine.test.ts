/**
 * The task state machine (SPEC TSK-3, TSK-4) against vectors/task-transitions.json, and the default
 * idempotency key (TSK-14).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyTaskCause, defaultIdempotencyKey, type TaskCause, type TaskFacts } from '../src/index.ts';

interface Vector {
  name: string;
  task: TaskFacts;
  cause: TaskCause;
  expect: { to: string; handler: string | null; noop?: true; late?: true } | { code: string };
}
const vectors = (JSON.parse(readFileSync(new URL('../vectors/task-transitions.json', import.meta.url), 'utf8')) as { cases: Vector[] }).cases;

describe('task state machine (TSK-3, TSK-4)', () => {
  it.each(vectors.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const step = applyTaskCause(v.task, v.cause);
    if ('code' in v.expect) {
      expect(step.ok).toBe(false);
      if (!step.ok) expect(step.code).toBe(v.expect.code);
    } else {
      expect(step).toMatchObject({ ok: true, to: v.expect.to, handler: v.expect.handler });
      if (step.ok) {
        expect(step.noop).toBe(v.expect.noop);
        expect(step.late).toBe(v.expect.late);
      }
    }
  });

  it('covers every state with every kind of envelope', () => {
    const seen = new Set(vectors.map((v) => `${v.task.state}/${v.cause.kind}`));
    expect(seen.size).toBe(6 * 6);
  });
});

describe('default idempotency key (TSK-14)', () => {
  const base = { turn: 'turn-7', to: 'cap:write.draft', capability: 'write.draft', input: { topic: 'tides', words: 300 } };

  it('ignores the order of members and of refs, and has the documented shape', () => {
    const a = defaultIdempotencyKey({ ...base, refs: ['https://b', 'https://a'] });
    const b = defaultIdempotencyKey({ ...base, input: { words: 300, topic: 'tides' }, refs: ['https://a', 'https://b'] });
    expect(a).toBe(b);
    expect(a).toMatch(/^t1\.[A-Za-z0-9_-]{43}$/);
  });

  it('changes with the turn, the target and the input', () => {
    const k = defaultIdempotencyKey(base);
    expect(defaultIdempotencyKey({ ...base, turn: 'turn-8' })).not.toBe(k);
    expect(defaultIdempotencyKey({ ...base, to: 'did:key:z6Mk' })).not.toBe(k);
    expect(defaultIdempotencyKey({ ...base, input: { topic: 'tides', words: 301 } })).not.toBe(k);
  });
});
