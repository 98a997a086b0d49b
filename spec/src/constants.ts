/**
 * Protocol constants of Baton v1: the version, the domain-separation prefixes, and the default limits a relay
 * announces in `hello` and in `/.well-known/baton` (SPEC.md sections 7, 8 and 14).
 */
import type { Limits } from './generated/types.ts';

/** The protocol version this package implements (SPEC VER-1). */
export const PROTOCOL_VERSION = 1;

/** Every protocol version this package can speak, highest first (SPEC VER-1, CON-2). */
export const SUPPORTED_VERSIONS: readonly number[] = [1];

/** ASCII prefix of every envelope signing input, followed by one 0x00 byte (SPEC SIG-1). */
export const ENVELOPE_SIGNING_PREFIX = 'baton/v1/envelope';

/** ASCII prefix of the handshake signing input, followed by one 0x00 byte (SPEC CON-3). */
export const AUTH_SIGNING_PREFIX = 'baton/v1/auth';

/** ASCII prefix of the signed HTTP request input, followed by one 0x00 byte (SPEC HTA-1). */
export const HTTP_SIGNING_PREFIX = 'baton/v1/http';

/**
 * Default limits (SPEC LIM-1). Sizes in bytes, durations in ms.
 * - `max_frame_bytes` 131,072: larger WebSocket messages close the connection (1009, ERR-4).
 * - `max_envelope_bytes` 65,536: JCS size of one envelope (ENV-5).
 * - `max_clock_skew_ms` 300,000: allowed |ts - now| (RPL-1).
 * - `dedupe_window_ms` 86,400,000: how long (from, id) is remembered (RPL-3); at least 2x the skew.
 * - `handshake_timeout_ms` 10,000 (CON-7); `heartbeat_ms` 30,000 (CON-8); `max_manifests` 64 (TYP-1).
 * - `ack_timeout_ms` 30,000: wait for a receipt per delivery attempt (DLV-3); `max_delivery_attempts` 5 (DLV-4).
 * - `redelivery_backoff_ms` 1,000 and `redelivery_backoff_max_ms` 60,000: backoff base and cap (DLV-4).
 * - `max_unacked_deliveries` 100: deliveries in flight per recipient (FLW-1).
 * - `mailbox_max_envelopes` 10,000 and `mailbox_max_age_ms` 604,800,000 (7 days): mailbox bounds (MBX-2, MBX-3).
 * - `max_unacked_sends` 10,000: a sender's accepted, unsettled envelopes (FLW-3).
 * - `send_rate_per_key` 1,000/s with `send_burst_per_key` 2,000; `send_rate_per_ip` 5,000/s with
 *   `send_burst_per_ip` 10,000 (token buckets, FLW-3).
 * - `compile_rate_per_ip` 1,000 schema compile units/s with `compile_burst_per_ip` 10,000; `compile_rate_relay`
 *   2,000/s with `compile_burst_relay` 20,000 (token buckets of MAN-7; a unit is about one schema object, and
 *   one registration costs at most 10,000).
 * - `task_lease_ms` 60,000: a handler's lease on an in-flight task (TSK-12); `max_task_attempts` 3 (TSK-12);
 *   `max_revisions` 3 per thread (TSK-16); `task_retention_ms` 604,800,000 (7 days) after a task ends (TSK-21).
 */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  max_frame_bytes: 131_072,
  max_envelope_bytes: 65_536,
  max_clock_skew_ms: 300_000,
  dedupe_window_ms: 86_400_000,
  handshake_timeout_ms: 10_000,
  heartbeat_ms: 30_000,
  max_manifests: 64,
  ack_timeout_ms: 30_000,
  max_delivery_attempts: 5,
  redelivery_backoff_ms: 1_000,
  redelivery_backoff_max_ms: 60_000,
  max_unacked_deliveries: 100,
  mailbox_max_envelopes: 10_000,
  mailbox_max_age_ms: 604_800_000,
  max_unacked_sends: 10_000,
  send_rate_per_key: 1_000,
  send_burst_per_key: 2_000,
  send_rate_per_ip: 5_000,
  send_burst_per_ip: 10_000,
  compile_rate_per_ip: 1_000,
  compile_burst_per_ip: 10_000,
  compile_rate_relay: 2_000,
  compile_burst_relay: 20_000,
  task_lease_ms: 60_000,
  max_task_attempts: 3,
  max_revisions: 3,
  task_retention_ms: 604_800_000,
});
