// The conformance profile: small relay limits under which the delivery-guarantee cases (SPEC sections 17-19:
// redelivery, dead letters, mailboxes, flow control) and the task cases (section 21: leases, handler attempts,
// revisions) finish in a few seconds each. A relay author starts the
// relay under test with these limits; a case whose limits are larger than its time budget allows ends as
// `skip` with the reason, never as a silent pass.
import type { Limits } from '@baton/spec';
import { CaseSkipped } from './assert.ts';

/** Names of the limits the profile sets. */
export type ProfileLimit =
  | 'handshake_timeout_ms' | 'ack_timeout_ms' | 'max_delivery_attempts' | 'redelivery_backoff_ms' | 'redelivery_backoff_max_ms'
  | 'max_unacked_deliveries' | 'mailbox_max_envelopes' | 'mailbox_max_age_ms' | 'max_unacked_sends' | 'send_rate_per_key'
  | 'send_burst_per_key' | 'task_lease_ms' | 'max_task_attempts' | 'max_revisions';

/**
 * The recommended limits of a relay under test (LIM-1 names; durations in ms, rates in envelopes per second).
 * The other limits keep their defaults; per-IP send limits must leave the suite (one IP) at least 500
 * envelopes/s. With these values the relay-mode run takes about 30 s.
 */
export const CONFORMANCE_PROFILE: Readonly<Pick<Limits, ProfileLimit>> = Object.freeze({
  handshake_timeout_ms: 1_000,
  ack_timeout_ms: 300,
  max_delivery_attempts: 3,
  redelivery_backoff_ms: 50,
  redelivery_backoff_max_ms: 200,
  max_unacked_deliveries: 5,
  mailbox_max_envelopes: 20,
  mailbox_max_age_ms: 2_000,
  max_unacked_sends: 10,
  send_rate_per_key: 50,
  send_burst_per_key: 50,
  task_lease_ms: 1_000,
  max_task_attempts: 2,
  max_revisions: 2,
});

/**
 * The largest value of each profile limit with which every case that depends on it still fits its time
 * budget (about 3 s per case). Larger values make those cases skip.
 */
export const PROFILE_CEILINGS: Readonly<Pick<Limits, Exclude<ProfileLimit, 'handshake_timeout_ms' | 'send_rate_per_key'>>> = Object.freeze({
  ack_timeout_ms: 500,
  max_delivery_attempts: 4,
  redelivery_backoff_ms: 200,
  redelivery_backoff_max_ms: 400,
  max_unacked_deliveries: 20,
  mailbox_max_envelopes: 50,
  mailbox_max_age_ms: 3_000,
  max_unacked_sends: 50,
  send_burst_per_key: 200,
  task_lease_ms: 1_500,
  max_task_attempts: 3,
  max_revisions: 5,
});

/** The command-line flags of the project's relay (`baton relay`) that apply the profile, e.g. `--ack-timeout-ms 300`. */
export function profileFlags(): string {
  return Object.entries(CONFORMANCE_PROFILE).map(([name, value]) => `--${name.replaceAll('_', '-')} ${value}`).join(' ');
}

/**
 * Ends a case as `skip` unless the relay's limits fit the case: each limit in `names` at most its
 * {@link PROFILE_CEILINGS} value, and each limit in `min` at least the given value.
 * @throws CaseSkipped "relay limits exceed the conformance profile: <limit>=<value>", or "relay limits leave no
 *   room for this case: <limit>=<value> (needs >= <n>)".
 */
export function requireProfile(limits: Limits, names: ReadonlyArray<keyof typeof PROFILE_CEILINGS>, min: Partial<Record<keyof Limits, number>> = {}): void {
  for (const name of names) {
    if (limits[name] > PROFILE_CEILINGS[name]) throw new CaseSkipped(`relay limits exceed the conformance profile: ${name}=${limits[name]}`);
  }
  for (const [name, least] of Object.entries(min) as Array<[keyof Limits, number]>) {
    if (limits[name] < least) throw new CaseSkipped(`relay limits leave no room for this case: ${name}=${limits[name]} (needs >= ${least})`);
  }
}
