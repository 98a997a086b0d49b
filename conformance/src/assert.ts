// Failures raised by conformance cases: each carries what the SPEC expected and what the implementation did.

/** Thrown by a case when the implementation under test does not behave as SPEC.md requires. */
export class CaseFailure extends Error {
  /** What SPEC.md requires, e.g. `error frame with code BAD_SIGNATURE`. */
  readonly expected: string;
  /** What arrived instead, e.g. `accepted frame {"op":"accepted","id":"..."}`. */
  readonly received: string;

  constructor(expected: string, received: string, message?: string) {
    super(message ?? `expected ${expected}, received ${received}`);
    this.name = 'CaseFailure';
    this.expected = expected;
    this.received = received;
  }
}

/** Thrown by a case that cannot run against this implementation (reported as `skip`). */
export class CaseSkipped extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'CaseSkipped';
  }
}

/** Fails with expected/received text unless `cond` holds. */
export function check(cond: boolean, expected: string, received: string): asserts cond {
  if (!cond) throw new CaseFailure(expected, received);
}

/** Short JSON text of a value for expected/received messages (cut at 400 characters). */
export function show(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 400 ? `${text.slice(0, 400)}...` : text;
}
