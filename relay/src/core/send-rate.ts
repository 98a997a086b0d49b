/**
 * The two FLW-3 steps of RTE-1:
 * - rate (`checkRate`), right after the frame is known to be a `send` and before the envelope is verified, so
 *   that a flood does not cost signature verifications: one token from the agent's and the IP's buckets;
 * - sender budget (`checkBudget`), after the duplicate-id and type-specific steps (so a resend of an accepted
 *   envelope is still answered `accepted` duplicate): at most max_unacked_sends accepted envelopes not yet
 *   settled per agent.
 * `receipt` envelopes are exempt from both (a recipient must always be able to acknowledge), `register` envelopes
 * from the sender budget only (nobody receipts them; they take a token because the relay compiles their
 * schemas, MAN-6); for the rate step the type is peeked from the unverified object, and a lying type fails the
 * later checks anyway.
 */
import type { Limits } from '@baton/spec';
import type { Ledger } from './ledger.ts';
import type { SendRateLimiter } from './rate-limit.ts';

/** A RATE_LIMITED answer: message and `retry_after_ms`. */
export interface RateRejection {
  readonly message: string;
  readonly retryAfterMs: number;
}

const RATE_EXEMPT = new Set(['receipt']);
const BUDGET_EXEMPT = new Set(['register', 'receipt']);

/** Checks one `send` against FLW-3. */
export class SendRate {
  readonly #limiter: SendRateLimiter;
  readonly #ledger: Ledger;
  readonly #limits: Limits;

  constructor(limiter: SendRateLimiter, ledger: Ledger, limits: Limits) {
    this.#limiter = limiter;
    this.#ledger = ledger;
    this.#limits = limits;
  }

  /**
   * The rate step.
   * @param env - the frame's `env`, not validated yet.
   * @returns undefined when the envelope may proceed (a token was taken), else the RATE_LIMITED answer with the
   *   wait for a token (nothing consumed).
   */
  checkRate(env: unknown, agent: string, ip: string): RateRejection | undefined {
    const type = typeof env === 'object' && env !== null ? (env as { type?: unknown }).type : undefined;
    if (typeof type === 'string' && RATE_EXEMPT.has(type)) return undefined;
    const taken = this.#limiter.take(agent, ip);
    if (taken.ok) return undefined;
    return { message: 'send rate exceeded (send_rate_per_key / send_rate_per_ip)', retryAfterMs: taken.retryAfterMs };
  }

  /**
   * The sender-budget step, for a verified envelope of `type` from `agent`.
   * @returns undefined when within budget, else the RATE_LIMITED answer (retry_after_ms = ack_timeout_ms).
   */
  checkBudget(agent: string, type: string): RateRejection | undefined {
    if (BUDGET_EXEMPT.has(type)) return undefined;
    const max = this.#limits.max_unacked_sends;
    if (this.#ledger.unsettled(agent) < max) return undefined;
    return {
      message: `${max} envelopes from this agent are not settled yet (max_unacked_sends); wait for receipts`,
      retryAfterMs: this.#limits.ack_timeout_ms,
    };
  }
}
