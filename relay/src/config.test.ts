// Unit tests of `baton relay` argument and environment parsing.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '@baton/spec';
import { UsageError, parseRelayArgs } from './config.ts';

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

  it('rejects unknown flags and bad values with UsageError', () => {
    expect(() => parseRelayArgs(['--nope'], {})).toThrow(UsageError);
    expect(() => parseRelayArgs(['--port', '70000'], {})).toThrow(/port/);
    expect(() => parseRelayArgs(['--port'], {})).toThrow(/needs a value/);
    expect(() => parseRelayArgs(['--admission', 'closed'], {})).toThrow(/admission/);
    expect(() => parseRelayArgs(['--allow', 'did:key:zBAD'], {})).toThrow(/not a valid did:key/);
  });
});
