/**
 * The crafted signatures the signature cases send must be what their titles say: identityRSignature's R is the
 * identity and it satisfies the bare cofactorless equation (SIG-3 (f)), so SIG-007 and AG-026 reject it only
 * by (g); malleateSignature adds exactly L to S.
 */
import * as ed from '@noble/ed25519';
import { createHash } from 'node:crypto';
import { base64urlDecode, createEnvelope, envelopeSigningInput, generateKeyPair, withoutSignature } from '@baton/spec';
import { describe, expect, it } from 'vitest';
import { identityRSignature, malleateSignature } from '../src/cases/helpers.ts';

const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const leInt = (bytes: Uint8Array) => bytes.reduceRight((n, b) => (n << 8n) | BigInt(b), 0n);

describe('crafted signatures', () => {
  const key = generateKeyPair();
  const env = createEnvelope(key, { type: 'message', to: key.did, body: { text: 'x' } });

  it('identityRSignature: R is the identity and [S]B = R + [k]A holds', () => {
    const sig = base64urlDecode(identityRSignature(env, key));
    const r = sig.subarray(0, 32);
    expect(ed.Point.fromBytes(r).equals(ed.Point.ZERO)).toBe(true);
    const k = leInt(createHash('sha512').update(r).update(key.publicKey).update(envelopeSigningInput(withoutSignature(env))).digest()) % L;
    const s = leInt(sig.subarray(32));
    expect(s < L).toBe(true);
    expect(ed.Point.BASE.multiply(s).equals(ed.Point.fromBytes(r).add(ed.Point.fromBytes(key.publicKey).multiply(k)))).toBe(true);
  });

  it('malleateSignature keeps R and adds L to S', () => {
    const before = base64urlDecode(env.sig);
    const after = base64urlDecode(malleateSignature(env.sig));
    expect(after.subarray(0, 32)).toEqual(before.subarray(0, 32));
    expect(leInt(after.subarray(32))).toBe(leInt(before.subarray(32)) + L);
  });
});
