// Unit tests of `baton relay` argument and environment parsing, and of the startup checks of limits and
// relay settings (also applied by startRelay before anything is created on disk).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, generateKeyPair } from '@baton/spec';
import { RELAY_USAGE, UsageError, checkLimits, parseRelayArgs } from './config.ts';
import { startRelay } from './index.ts';

const TOKEN = 'op-token-0123456789abcdef';

describe('parseRelayArgs', () => {
  it('reads flags, with flags winning over environment variables', () => {
    expect(parseRelayArgs(['--port', '9000', '--data=/tmp/x', '--durability', 'normal'], { BATON_PORT: '1', BATON_HOST: '0.0.0.0' }))
      .toEqual({ port: 9000, dataDir: '/tmp/x', durability: 'normal', host: '0.0.0.0' });
    expect(parseRelayArgs([], { BATON_PORT: '0', BATON_DATA: 'd', BATON_DURABILITY: 'fsync' }))
      .toEqual({ port: 0, dataDir: 'd', durability: 'fsync' });
    expect(parseRelayArgs([], {})).toEqual({});
  });

  it('builds an allowlist from --allow and --allowlist FILE (implies admission allowlist)', () => {
    const [k1, k2] = [generateKeyPair(), generateKeyPair()];
    const dir = mkdtempSync(join(tmpdir(), 'baton-config-'));
    try {
      const file = join(dir, 'allow.txt');
      writeFileSync(file, `# agents\n${k2.did}\n\n`);
      expect(parseRelayArgs(['--allow', k1.did, '--allowlist', file], {})).toEqual({ allowlist: [k1.did, k2.did], admission: 'allowlist' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads every limit of LIM-1 from a flag or BATON_<LIMIT> (e.g. the ws maxPayload)', () => {
    expect(parseRelayArgs(['--max-frame-bytes', '4096', '--heartbeat-ms=500'], { BATON_MAX_ENVELOPE_BYTES: '2048' }))
      .toEqual({ limits: { max_frame_bytes: 4096, max_envelope_bytes: 2048, heartbeat_ms: 500 } });
    expect(() => parseRelayArgs(['--max-frame-bytes', '0'], {})).toThrow(/positive integer/);
    expect(() => parseRelayArgs(['--max-manifests', 'many'], {})).toThrow(/positive integer/);
  });

  it('has a flag for each delivery, mailbox and rate limit (DLV, MBX, FLW), listed in the usage text', () => {
    expect(parseRelayArgs([
      '--ack-timeout-ms', '5000', '--max-delivery-attempts=3', '--redelivery-backoff-ms', '0', '--redelivery-backoff-max-ms', '10',
      '--max-unacked-deliveries', '7', '--mailbox-max-envelopes', '50', '--mailbox-max-age-ms', '60000', '--max-unacked-sends', '9',
      '--send-rate-per-key', '10', '--send-burst-per-key', '20', '--send-rate-per-ip', '30',
    ], { BATON_SEND_BURST_PER_IP: '40' })).toEqual({
      limits: {
        ack_timeout_ms: 5000, max_delivery_attempts: 3, redelivery_backoff_ms: 0, redelivery_backoff_max_ms: 10,
        max_unacked_deliveries: 7, mailbox_max_envelopes: 50, mailbox_max_age_ms: 60000, max_unacked_sends: 9,
        send_rate_per_key: 10, send_burst_per_key: 20, send_rate_per_ip: 30, send_burst_per_ip: 40,
      },
    });
    for (const name of Object.keys(DEFAULT_LIMITS)) expect(RELAY_USAGE).toContain(`--${name.replaceAll('_', '-')} N`);
    expect(RELAY_USAGE).toContain('--operator-token');
    expect(RELAY_USAGE).toContain('--delivery-high-water-bytes');
  });

  it('refuses out-of-range and contradictory limits at startup with messages naming them', () => {
    expect(() => parseRelayArgs(['--max-delivery-attempts', '0'], {})).toThrow('--max-delivery-attempts must be a positive integer, got 0');
    expect(() => parseRelayArgs(['--redelivery-backoff-ms', '-1'], {})).toThrow('--redelivery-backoff-ms must be a non-negative integer, got -1');
    expect(() => parseRelayArgs(['--ack-timeout-ms', '1.5'], {})).toThrow(/--ack-timeout-ms must be a positive integer/);
    expect(() => parseRelayArgs(['--redelivery-backoff-ms', '90000'], {})).toThrow(/redelivery_backoff_ms must not exceed redelivery_backoff_max_ms/);
    expect(() => parseRelayArgs([], { BATON_MAX_FRAME_BYTES: '2048' })).toThrow(/max_frame_bytes must exceed max_envelope_bytes/);
    expect(() => parseRelayArgs(['--max-clock-skew-ms', String(DEFAULT_LIMITS.dedupe_window_ms)], {})).toThrow(/RPL-3/);
  });

  it('reads the operator token from --operator-token or BATON_OPERATOR_TOKEN and never echoes a bad one', () => {
    expect(parseRelayArgs(['--operator-token', TOKEN], { BATON_OPERATOR_TOKEN: 'env-token-0123456789' })).toEqual({ operatorToken: TOKEN });
    expect(parseRelayArgs([], { BATON_OPERATOR_TOKEN: TOKEN })).toEqual({ operatorToken: TOKEN });
    let error: unknown;
    try {
      parseRelayArgs(['--operator-token', 'short-secret'], {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/at least 16 characters/);
    expect((error as Error).message).not.toContain('short-secret');
    expect(() => parseRelayArgs(['--operator-token', 'has a space in it, long enough'], {})).toThrow(/without spaces/);
  });

  it('reads --delivery-high-water-bytes (FLW-2) as a positive integer', () => {
    expect(parseRelayArgs(['--delivery-high-water-bytes', '65536'], {})).toEqual({ deliveryHighWaterBytes: 65536 });
    expect(parseRelayArgs([], { BATON_DELIVERY_HIGH_WATER_BYTES: '1024' })).toEqual({ deliveryHighWaterBytes: 1024 });
    expect(() => parseRelayArgs(['--delivery-high-water-bytes', '0'], {})).toThrow(/positive integer/);
  });

  it('rejects unknown flags and bad values with UsageError', () => {
    expect(() => parseRelayArgs(['--nope'], {})).toThrow(UsageError);
    expect(() => parseRelayArgs(['--port', '70000'], {})).toThrow(/port/);
    expect(() => parseRelayArgs(['--port'], {})).toThrow(/needs a value/);
    expect(() => parseRelayArgs(['--admission', 'closed'], {})).toThrow(/admission/);
    expect(() => parseRelayArgs(['--allow', 'did:key:zBAD'], {})).toThrow(/not a valid did:key/);
  });
});

describe('checkLimits', () => {
  it('accepts the defaults and names the first bad limit', () => {
    expect(checkLimits(DEFAULT_LIMITS)).toBeUndefined();
    expect(checkLimits({ ...DEFAULT_LIMITS, ack_timeout_ms: 1.5 })).toBe('ack_timeout_ms must be an integer >= 1, got 1.5');
    expect(checkLimits({ ...DEFAULT_LIMITS, max_delivery_attempts: 0 })).toBe('max_delivery_attempts must be an integer >= 1, got 0');
    expect(checkLimits({ ...DEFAULT_LIMITS, send_rate_per_ip: '5' })).toBe('send_rate_per_ip must be an integer >= 1, got 5');
    // a compile burst below what one registration may cost (MAN-7) would refuse that registration for ever
    expect(checkLimits({ ...DEFAULT_LIMITS, compile_burst_relay: 9_999 })).toBe('compile_burst_relay must be an integer >= 10000, got 9999');
    expect(checkLimits({ ...DEFAULT_LIMITS, compile_burst_per_ip: 10_000, compile_rate_per_ip: 1 })).toBeUndefined();
    expect(checkLimits({ ...DEFAULT_LIMITS, redelivery_backoff_ms: -1 })).toBe('redelivery_backoff_ms must be an integer >= 0, got -1');
    expect(checkLimits({ ...DEFAULT_LIMITS, ack_timeout: 5 })).toBe('unknown limit ack_timeout');
    expect(checkLimits({ ...DEFAULT_LIMITS, redelivery_backoff_ms: 0, redelivery_backoff_max_ms: 0 })).toBeUndefined();
    expect(checkLimits({ ...DEFAULT_LIMITS, redelivery_backoff_ms: 2, redelivery_backoff_max_ms: 1 })).toMatch(/DLV-4/);
  });

  it('is applied by startRelay before the data directory is created', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-config-start-'));
    try {
      const base = { port: 0, logLevel: 'silent' };
      await expect(startRelay({ ...base, dataDir: join(dir, 'a'), limits: { max_delivery_attempts: 0 } })).rejects.toThrow(/max_delivery_attempts/);
      await expect(startRelay({ ...base, dataDir: join(dir, 'b'), limits: { redelivery_backoff_ms: 70_000 } })).rejects.toThrow(/DLV-4/);
      await expect(startRelay({ ...base, dataDir: join(dir, 'c'), operatorToken: 'short' })).rejects.toThrow(/operator token/);
      await expect(startRelay({ ...base, dataDir: join(dir, 'd'), deliveryHighWaterBytes: 0 })).rejects.toThrow(/deliveryHighWaterBytes/);
      for (const sub of ['a', 'b', 'c', 'd']) expect(existsSync(join(dir, sub))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
