// The suite fails a deliberately broken relay on the right cases (with readable expected vs received), skips
// the delivery cases with the reason when the relay's limits exceed the conformance profile, and the
// expected-failures baseline works both ways: a listed failure passes the run, a stale entry fails it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFORMANCE_PROFILE } from '../src/profile.ts';
import { parseExpectedFailures, runRelaySuite } from '../src/runner.ts';
import { startBrokenRelay, type BrokenRelay } from './broken-relay.ts';

let broken: BrokenRelay;
const ONLY = ['HS-003', 'HS-004', 'HS-009', 'SIG-001', 'SIG-002', 'ENV-011', 'ENC-002'];

beforeAll(async () => {
  broken = await startBrokenRelay();
});
afterAll(async () => {
  await broken.close();
});

describe('relay mode against a broken relay', () => {
  it('fails the signature, version and error-code cases, passes the plain handshake', async () => {
    const report = await runRelaySuite({ url: broken.url, timeoutMs: 500, only: ONLY });
    const status = Object.fromEntries(report.results.map((r) => [r.id, r.status]));
    expect(status).toEqual({ 'HS-003': 'pass', 'HS-004': 'fail', 'HS-009': 'fail', 'SIG-001': 'fail', 'SIG-002': 'fail', 'ENV-011': 'fail', 'ENC-002': 'fail' });
    expect(report.ok).toBe(false);
    const sig = report.results.find((r) => r.id === 'SIG-002');
    expect(sig?.expected).toBe('error frame with code BAD_SIGNATURE');
    expect(sig?.received).toMatch(/^accepted frame/);
    const enc = report.results.find((r) => r.id === 'ENC-002');
    expect(enc?.expected).toBe('error frame with code MALFORMED_FRAME');
    expect(enc?.received).toContain('INVALID_FRAME');
    expect(sig?.frames.some((f) => f.dir === 'in' && f.data.includes('"accepted"'))).toBe(true);
  });

  it('listed failures do not fail the run; a listed case that passes is stale and fails it', async () => {
    const failing = ['HS-004', 'SIG-002'];
    const ok = await runRelaySuite({ url: broken.url, timeoutMs: 500, only: failing, expectedFailures: failing });
    expect(ok.ok).toBe(true);
    expect(ok.summary.expected_failures).toBe(2);
    const stale = await runRelaySuite({ url: broken.url, timeoutMs: 500, only: [...failing, 'HS-003'], expectedFailures: [...failing, 'HS-003'] });
    expect(stale.ok).toBe(false);
    expect(stale.results.find((r) => r.id === 'HS-003')?.stale).toBe(true);
  });

  it('skips the delivery cases when the limits exceed the conformance profile, fails them under the profile', async () => {
    const delivery = ['DLV-001', 'MBX-001', 'FLW-002', 'TSK-020'];
    const skipped = await runRelaySuite({ url: broken.url, timeoutMs: 500, only: delivery });
    expect(skipped.results.map((r) => [r.id, r.status, r.message])).toEqual([
      ['DLV-001', 'skip', 'relay limits exceed the conformance profile: ack_timeout_ms=30000'],
      ['MBX-001', 'skip', 'relay limits exceed the conformance profile: mailbox_max_envelopes=10000'],
      ['FLW-002', 'skip', 'relay limits exceed the conformance profile: send_burst_per_key=2000'],
      ['TSK-020', 'skip', 'relay limits exceed the conformance profile: task_lease_ms=60000'],
    ]);
    expect(skipped.ok).toBe(true);
    const profiled = await startBrokenRelay(CONFORMANCE_PROFILE);
    try {
      const report = await runRelaySuite({ url: profiled.url, timeoutMs: 500, only: delivery });
      expect(Object.fromEntries(report.results.map((r) => [r.id, r.status]))).toEqual({ 'DLV-001': 'fail', 'MBX-001': 'fail', 'FLW-002': 'fail', 'TSK-020': 'fail' });
      const byId = Object.fromEntries(report.results.map((r) => [r.id, r]));
      expect(byId['DLV-001']?.expected).toMatch(/^deliver of /);
      expect(byId['MBX-001']?.expected).toBe('error frame with code MAILBOX_FULL');
      expect(byId['FLW-002']?.expected).toMatch(/^error BAD_SIGNATURE or RATE_LIMITED/);
      expect(byId['TSK-020']?.expected).toMatch(/^deliver of .* to one of provider-1, provider-2$/);
    } finally {
      await profiled.close();
    }
  });

  it('parses baseline files as JSON or one id per line', () => {
    expect(parseExpectedFailures('["A-1","B-2"]')).toEqual(['A-1', 'B-2']);
    expect(parseExpectedFailures('{"relay":["A-1"]}')).toEqual(['A-1']);
    expect(parseExpectedFailures('A-1\n# comment\n\nB-2  # why\n')).toEqual(['A-1', 'B-2']);
  });
});
