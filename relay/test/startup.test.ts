// startRelay refuses contradictory configuration before it binds a port or opens the store (ADM-1, RPL-3).
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startRelay } from '@baton/relay';

const dir = mkdtempSync(join(tmpdir(), 'baton-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('refuses a dedupe window shorter than twice the clock skew (RPL-3)', async () => {
  await expect(startRelay({ port: 0, dataDir: join(dir, 'a'), logLevel: 'silent', limits: { dedupe_window_ms: 1000, max_clock_skew_ms: 1000 } }))
    .rejects.toThrow(/RPL-3/);
  expect(existsSync(join(dir, 'a'))).toBe(false);
});

it('refuses a frame limit that cannot carry a maximal envelope', async () => {
  await expect(startRelay({ port: 0, dataDir: join(dir, 'b'), logLevel: 'silent', limits: { max_frame_bytes: 4096, max_envelope_bytes: 4096 } }))
    .rejects.toThrow(/max_frame_bytes/);
});

it('refuses open admission by default on a non-loopback host (ADM-1)', async () => {
  await expect(startRelay({ port: 0, host: '0.0.0.0', dataDir: join(dir, 'c'), logLevel: 'silent' })).rejects.toThrow(/ADM-1/);
});
