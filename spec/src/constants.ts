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

/**
 * Default limits (SPEC LIM-1). Sizes in bytes, durations in ms.
 * - `max_frame_bytes` 131,072: larger WebSocket messages close the connection (1009, ERR-4).
 * - `max_envelope_bytes` 65,536: JCS size of one envelope (ENV-5).
 * - `max_clock_skew_ms` 300,000: allowed |ts - now| (RPL-1).
 * - `dedupe_window_ms` 86,400,000: how long (from, id) is remembered (RPL-3); at least 2x the skew.
 * - `handshake_timeout_ms` 10,000 (CON-7); `heartbeat_ms` 30,000 (CON-8); `max_manifests` 64 (TYP-1).
 */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  max_frame_bytes: 131_072,
  max_envelope_bytes: 65_536,
  max_clock_skew_ms: 300_000,
  dedupe_window_ms: 86_400_000,
  handshake_timeout_ms: 10_000,
  heartbeat_ms: 30_000,
  max_manifests: 64,
});
