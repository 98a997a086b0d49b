/**
 * Audit log verification (SPEC TSK-20), the engine of `baton verify-log`: reads JSON Lines
 * `{"seq","accepted_at","env"}` one at a time and checks each line's shape, `seq` strictly ascending, each
 * envelope's schema (ENV-1..ENV-4, TYP-7) and strict signature (SIG-3), that notices (and the `to` of
 * `register` and `cancel`, RTE-4) name the relay, and replays the task state machine (task-replay.ts).
 * Clock skew and expiry are not checked: they are judged at acceptance time, and the log is read later.
 * Every problem carries its line number, seq, envelope id, task id and registry code.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import {
  digestOfSigningInput, envelopeSigningInput, validateEnvelope, verifyEnvelope,
  type CheckResult, type Envelope, type ErrorCode, type TaskState,
} from '@baton/spec';
import { parseLogLine } from './log-line.ts';
import { TaskReplay } from './task-replay.ts';

/** One finding. Errors make the log fail verification; warnings (pruned tasks, TSK-21) do not. */
export interface LogProblem {
  readonly severity: 'error' | 'warning';
  /** 1-based line number in the input. */
  readonly line: number;
  readonly seq?: number;
  /** The envelope's id, when readable. */
  readonly id?: string;
  /** The task concerned, when there is one. */
  readonly task?: string;
  /** Registry code: INVALID_FRAME / MALFORMED_FRAME (line), INVALID_ENVELOPE, BAD_SIGNATURE, TSK-4 codes, ... */
  readonly code: ErrorCode;
  readonly message: string;
}

/** What was verified. */
export interface LogSummary {
  /** Non-empty input lines. */
  readonly lines: number;
  /** Envelopes that passed the schema and signature checks, in total and by type. */
  readonly envelopes: number;
  readonly types: Record<string, number>;
  /** The relay's did:key used for notices: given, or inferred; null when the log never names it. */
  readonly relay: string | null;
  readonly tasks: number;
  /** Tasks by final state. */
  readonly states: Record<TaskState, number>;
  readonly lateResults: number;
  readonly errors: number;
  readonly warnings: number;
}

/** The verdict: `ok` when no error was found (warnings allowed). */
export interface VerifyReport {
  readonly ok: boolean;
  readonly summary: LogSummary;
  /** The first {@link VerifyOptions.maxProblems} problems, in line order. */
  readonly problems: readonly LogProblem[];
}

/** Options of a verification. */
export interface VerifyOptions {
  /** The relay's did:key; default: the `from` of the first notice (or `to` of the first register / cancel). */
  readonly relay?: string;
  /** Problems kept in the report (all are counted). @default 1000 */
  readonly maxProblems?: number;
}

type Where = Pick<LogProblem, 'line' | 'seq' | 'id'>;

/** Verifies a log fed line by line; call {@link LogVerifier.finish} at the end. */
export class LogVerifier {
  readonly #replay = new TaskReplay();
  readonly #problems: LogProblem[] = [];
  readonly #types: Record<string, number> = {};
  readonly #maxProblems: number;
  #relay: string | null;
  #lineNo = 0;
  #lines = 0;
  #envelopes = 0;
  #lastSeq = 0;
  #errors = 0;
  #warnings = 0;

  constructor(options: VerifyOptions = {}) {
    this.#relay = options.relay ?? null;
    this.#maxProblems = options.maxProblems ?? 1000;
  }

  /** Checks the next line of the input (without its line break). Blank lines are INVALID_FRAME. */
  line(text: string): void {
    this.#lineNo += 1;
    const where: Where = { line: this.#lineNo };
    if (text.trim() === '') {
      this.#report(where, 'error', 'INVALID_FRAME', 'blank line');
      return;
    }
    this.#lines += 1;
    const parsed = parseLogLine(text);
    if (!parsed.ok) {
      this.#report(where, 'error', parsed.code, parsed.message);
      return;
    }
    const { seq, env } = parsed.value;
    const at: Where = { line: this.#lineNo, seq, ...(typeof env['id'] === 'string' ? { id: env['id'] } : {}) };
    if (seq <= this.#lastSeq) this.#report(at, 'error', 'INVALID_FRAME', `seq ${seq} does not follow ${this.#lastSeq} (seq must ascend strictly)`);
    this.#lastSeq = Math.max(this.#lastSeq, seq);
    const checked = this.#envelope(env);
    if (!checked.ok) return this.#report(at, 'error', checked.code, checked.message);
    const { envelope, digest } = checked.value;
    this.#envelopes += 1;
    this.#types[envelope.type] = (this.#types[envelope.type] ?? 0) + 1;
    const relayProblem = this.#relayCheck(envelope);
    if (relayProblem !== undefined) return this.#report(at, 'error', 'INVALID_ENVELOPE', relayProblem);
    for (const issue of this.#replay.apply(envelope, digest)) {
      this.#report({ ...at, ...(issue.task === undefined ? {} : { task: issue.task }) }, issue.severity, issue.code, issue.message);
    }
  }

  /** The report on everything fed so far. */
  finish(): VerifyReport {
    const r = this.#replay.summary();
    return {
      ok: this.#errors === 0,
      summary: {
        lines: this.#lines, envelopes: this.#envelopes, types: { ...this.#types }, relay: this.#relay,
        tasks: r.tasks, states: r.states, lateResults: r.lateResults, errors: this.#errors, warnings: this.#warnings,
      },
      problems: [...this.#problems],
    };
  }

  /** Schema (INVALID_ENVELOPE) and strict signature (BAD_SIGNATURE) of one envelope, without time checks. */
  #envelope(value: Record<string, unknown>): CheckResult<{ envelope: Envelope; digest: string }> {
    const valid = validateEnvelope(value);
    if (!valid.ok) return valid;
    let signingInput: Uint8Array;
    try {
      signingInput = envelopeSigningInput(valid.value);
    } catch {
      return { ok: false, code: 'INVALID_ENVELOPE', message: 'envelope holds a value RFC 8785 cannot represent' };
    }
    if (!verifyEnvelope(valid.value, signingInput)) return { ok: false, code: 'BAD_SIGNATURE', message: 'envelope signature does not verify (SIG-3)' };
    return { ok: true, value: { envelope: valid.value, digest: digestOfSigningInput(signingInput) } };
  }

  /** Notices must come from the relay (TYP-6), register and cancel go to it (RTE-4); the first one names it. */
  #relayCheck(env: Envelope): string | undefined {
    const named = env.type === 'notice' ? env.from : env.type === 'register' || env.type === 'cancel' ? env.to : undefined;
    if (named === undefined) return undefined;
    this.#relay ??= named;
    if (named === this.#relay) return undefined;
    return env.type === 'notice'
      ? `the notice is signed by ${env.from}, not by the relay ${this.#relay} (TYP-6)`
      : `a ${env.type} must be addressed to the relay ${this.#relay} (RTE-4)`;
  }

  #report(where: Where & { task?: string }, severity: LogProblem['severity'], code: ErrorCode, message: string): void {
    if (severity === 'error') this.#errors += 1;
    else this.#warnings += 1;
    if (this.#problems.length < this.#maxProblems) this.#problems.push({ severity, ...where, code, message });
  }
}

/**
 * Verifies a log read from `input` line by line (streaming: memory grows with the number of tasks, not with
 * the size of the log).
 * @throws the stream's error when reading fails.
 */
export async function verifyLog(input: Readable, options: VerifyOptions = {}): Promise<VerifyReport> {
  const verifier = new LogVerifier(options);
  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const text of lines) verifier.line(text);
  return verifier.finish();
}

