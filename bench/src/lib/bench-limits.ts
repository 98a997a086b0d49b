/**
 * The relay limits every benchmark relay runs with. The defaults (DEFAULT_LIMITS) throttle senders on purpose
 * (send_rate_per_key 1,000/s, max_unacked_deliveries 100, ...), which would make the bench measure the rate
 * limiter instead of the relay; these overrides lift every flow-control limit out of the way.
 */
import type { Limits } from '@baton/spec';

/** Limits passed to `startRelay` by every bench relay (bench/README.md says so). */
export const BENCH_LIMITS: Partial<Limits> = {
  send_rate_per_key: 1e9,
  send_burst_per_key: 1e9,
  send_rate_per_ip: 1e9,
  send_burst_per_ip: 1e9,
  max_unacked_sends: 1e9,
  max_unacked_deliveries: 10_000,
  mailbox_max_envelopes: 1e9,
};
