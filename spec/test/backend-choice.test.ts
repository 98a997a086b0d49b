/**
 * The default Ed25519 backend is chosen per process: the fastest available, or the one `BATON_ED25519` names
 * (checked in child processes, since the choice is made when the module loads).
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function defaultIn(env: Record<string, string>): string {
  const code = "import('@baton/spec').then((m) => process.stdout.write(m.getDefaultBackend().name))";
  return execFileSync(process.execPath, ['-e', code], { env: { ...process.env, ...env }, encoding: 'utf8' });
}

describe('BATON_ED25519', () => {
  it('picks the named backend, and ignores a name that is not available', () => {
    expect(defaultIn({ BATON_ED25519: 'node:crypto' })).toBe('node:crypto');
    expect(defaultIn({ BATON_ED25519: 'noble' })).toBe('noble');
    expect(defaultIn({ BATON_ED25519: 'libsodium' })).toBe('libsodium');
    expect(defaultIn({ BATON_ED25519: 'openssl' })).toBe('libsodium');
  });
});
