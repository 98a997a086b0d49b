/**
 * Runs every language-neutral vector in spec/vectors/ against every Ed25519 backend this package has
 * (noble and node:crypto): RFC 8032, RFC 8785, strict signatures, did:key, envelopes, handshake, frames; and the
 * capability-schema patterns of MAN-5 and the schema counts of MAN-6 and MAN-7.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  base64urlDecode, canonicalize, checkEnvelope, didToPublicKey, envelopeSigningInput, fromHex, isBatonError,
  nobleBackend, availableBackends, parseFrame, parseJson, publicKeyToDid, setDefaultBackend, getDefaultBackend, signEnvelope,
  toHex, verifyAuth, verifySignature, withoutSignature, digestOfSigningInput, keyPairFromSecret, signAuth,
  authSigningInput, httpAuthSigningInput, signHttpRequest, verifyHttpRequest, checkJsonSchema, type Envelope, type Ed25519Backend, type AuthFrame, type HelloFrame,
} from '@baton/spec';
import { nodeBackend } from '@baton/spec/node';
import { sodiumBackend } from '@baton/spec/sodium';
import rfc8032 from '../vectors/rfc8032.json' with { type: 'json' };
import rfc8785 from '../vectors/rfc8785.json' with { type: 'json' };
import strict from '../vectors/signatures-strict.json' with { type: 'json' };
import didKey from '../vectors/did-key.json' with { type: 'json' };
import envelopes from '../vectors/envelopes.json' with { type: 'json' };
import handshake from '../vectors/handshake.json' with { type: 'json' };
import frames from '../vectors/frames.json' with { type: 'json' };
import httpAuth from '../vectors/http-auth.json' with { type: 'json' };
import patterns from '../vectors/patterns.json' with { type: 'json' };
import schemaCosts from '../vectors/schema-costs.json' with { type: 'json' };
import { compileLinearRegExp } from '../src/schema/linear-regexp.ts';
import { patternSize } from '../src/schema/pattern-size.ts';
import { countSchema, schemaCompileCost } from '../src/schema/compile-cost.ts';
import { withWork } from '../src/schema/schema-work.ts';

const backends: Ed25519Backend[] = [nobleBackend];
if (nodeBackend !== undefined) backends.push(nodeBackend);
if (sodiumBackend !== undefined) backends.push(sodiumBackend);
const original = getDefaultBackend();
afterAll(() => { setDefaultBackend(original); });

it('has all three backends in Node (sodium-native is installed here), the fastest as the default', () => {
  expect(backends.map((b) => b.name)).toEqual(['noble', 'node:crypto', 'libsodium']);
  expect(availableBackends.map((b) => b.name)).toEqual(['libsodium', 'node:crypto', 'noble']);
  expect(original.name).toBe('libsodium');
});

describe('RFC 8785 canonicalization', () => {
  for (const c of rfc8785.cases) {
    it(c.name, () => { expect(canonicalize(parseJson(c.input))).toBe(c.output); });
  }
  it('serializes every Appendix B number', () => {
    for (const n of rfc8785.numbers) {
      const value = new DataView(fromHex(n.ieee754_hex).buffer).getFloat64(0, false);
      expect(canonicalize(value), n.ieee754_hex).toBe(n.output);
    }
  });
  it('refuses NaN, infinities and lone surrogates', () => {
    for (const bad of rfc8785.invalid) {
      const value = 'ieee754_hex' in bad && bad.ieee754_hex !== undefined
        ? new DataView(fromHex(bad.ieee754_hex).buffer).getFloat64(0, false)
        : String.fromCharCode(Number.parseInt(String((bad as { string_utf16_hex?: string }).string_utf16_hex), 16));
      expect(() => canonicalize({ value }), bad.name).toThrowError(expect.objectContaining({ code: 'INVALID_ENVELOPE' }) as unknown as Error);
    }
  });
});

describe.each(backends)('backend $name', (backend) => {
  it('reproduces RFC 8032 section 7.1 public keys and signatures and verifies them', () => {
    for (const c of rfc8032.cases) {
      const secret = fromHex(c.secret_key_hex);
      expect(toHex(backend.getPublicKey(secret)), c.name).toBe(c.public_key_hex);
      expect(toHex(backend.sign(secret, fromHex(c.message_hex))), c.name).toBe(c.signature_hex);
      expect(backend.verify(fromHex(c.public_key_hex), fromHex(c.message_hex), fromHex(c.signature_hex))).toBe(true);
    }
  });

  it('gives exactly the expected verdict on every strict-verification vector', () => {
    for (const c of strict.cases) {
      expect(backend.verify(fromHex(c.public_key_hex), fromHex(c.message_hex), fromHex(c.signature_hex)), `${c.name}: ${c.rule}`).toBe(c.valid);
    }
  });

  it('reproduces every valid envelope vector byte for byte', () => {
    setDefaultBackend(backend);
    const keys = envelopes.keys as Record<string, { secret_key_hex: string }>;
    for (const v of envelopes.valid) {
      const env = v.envelope as Envelope;
      const input = envelopeSigningInput(env);
      expect(canonicalize(withoutSignature(env)), v.name).toBe(v.jcs);
      expect(toHex(input), v.name).toBe(v.signing_input_hex);
      expect(digestOfSigningInput(input), v.name).toBe(v.digest);
      expect(toHex(base64urlDecode(signEnvelope(withoutSignature(env), fromHex(keys[v.signer]!.secret_key_hex)).sig)), v.name).toBe(v.signature_hex);
      const checked = checkEnvelope(env, { ...envelopes.context, authenticated: env.from, now: envelopes.context.now + 20 });
      expect(checked.ok ? 'ok' : `${checked.code}: ${checked.message}`, v.name).toBe('ok');
    }
  });

  it('returns exactly the expected code for every invalid envelope vector', () => {
    setDefaultBackend(backend);
    for (const v of envelopes.invalid) {
      const checked = checkEnvelope(v.envelope, envelopes.context);
      expect(checked.ok ? 'ok' : checked.code, `${v.name}: ${v.note}`).toBe(v.code);
    }
  });

  it('signs and verifies the handshake vector', () => {
    setDefaultBackend(backend);
    const hello = handshake.hello as HelloFrame;
    const agent = keyPairFromSecret(fromHex(handshake.keys.alice.secret_key_hex));
    const auth = handshake.auth as AuthFrame;
    expect(toHex(authSigningInput({ agent: agent.did, challenge: hello.challenge, relay: hello.relay, ts: auth.ts, v: auth.v }))).toBe(handshake.signing_input_hex);
    expect(signAuth(agent, hello, auth.ts)).toEqual(auth);
    expect(verifyAuth(auth, hello.challenge, hello.relay)).toBe(true);
    for (const bad of handshake.invalid) expect(verifyAuth(bad.auth as AuthFrame, bad.challenge, bad.relay), bad.name).toBe(false);
  });

  it('signs and verifies the signed HTTP request vectors (HTA-1, HTA-2)', () => {
    setDefaultBackend(backend);
    const agent = keyPairFromSecret(fromHex(httpAuth.keys.alice.secret_key_hex));
    const r = httpAuth.request;
    expect(toHex(httpAuthSigningInput({ agent: agent.did, ...r, v: 1 }))).toBe(httpAuth.signing_input_hex);
    expect(signHttpRequest(agent, r)).toBe(httpAuth.header);
    for (const c of httpAuth.cases) {
      const checked = verifyHttpRequest(httpAuth.header, { method: c.method, path: c.path, relay: c.relay, now: r.ts, maxClockSkewMs: 300_000 });
      expect(checked.ok ? checked.value.agent : checked.code, c.name).toBe(c.valid ? agent.did : 'UNAUTHORIZED');
    }
    const late = verifyHttpRequest(httpAuth.header, { ...r, now: r.ts + 300_001, maxClockSkewMs: 300_000 });
    expect(late.ok ? 'ok' : late.code).toBe('UNAUTHORIZED');
    expect(verifyHttpRequest('Bearer x', { ...r, now: r.ts, maxClockSkewMs: 300_000 }).ok).toBe(false);
  });
});

it('verifySignature is strict with the default backend too', () => {
  for (const c of strict.cases) {
    expect(verifySignature(fromHex(c.public_key_hex), fromHex(c.message_hex), fromHex(c.signature_hex)), c.name).toBe(c.valid);
  }
});

describe('did:key', () => {
  it('encodes and decodes the valid vectors', () => {
    for (const v of didKey.valid) {
      expect(publicKeyToDid(fromHex(v.public_key_hex))).toBe(v.did);
      expect(toHex(didToPublicKey(v.did))).toBe(v.public_key_hex);
      expect(v.did.startsWith('did:key:z6Mk')).toBe(true);
    }
  });
  it('rejects every invalid vector with its code', () => {
    for (const v of didKey.invalid) {
      let code: string | undefined;
      try { didToPublicKey(v.did); } catch (error) { code = isBatonError(error) ? error.code : 'not a BatonError'; }
      expect(code, v.name).toBe(v.code);
    }
  });
});

describe('frames', () => {
  for (const c of frames.cases) {
    it(c.name, () => {
      const result = parseFrame(c.text);
      expect(result.ok ? null : result.code).toBe(c.code);
    });
  }
});

describe('capability-schema patterns (MAN-5)', () => {
  it('accepts each accepted pattern in a manifest schema, with the listed size, and matches as listed', () => {
    for (const c of patterns.accepted) {
      expect(checkJsonSchema({ type: 'string', pattern: c.pattern }), c.pattern).toBeNull();
      expect(patternSize(c.pattern), c.pattern).toBe(c.size);
      const re = compileLinearRegExp(c.pattern);
      for (const text of c.matches) expect(re.test(text), `${c.pattern} on ${JSON.stringify(text)}`).toBe(true);
      for (const text of c.rejects) expect(re.test(text), `${c.pattern} on ${JSON.stringify(text)}`).toBe(false);
    }
  });
  it('refuses each refused pattern, in pattern and in patternProperties', () => {
    for (const c of patterns.refused) {
      expect(checkJsonSchema({ type: 'string', pattern: c.pattern }), c.pattern).toMatch(/^invalid JSON Schema: pattern/);
      expect(checkJsonSchema({ type: 'object', patternProperties: { [c.pattern]: {} } }), c.pattern).toMatch(/^invalid JSON Schema: pattern/);
    }
  });
});

describe('capability-schema counts (MAN-6, MAN-7)', () => {
  const build = (b: { keyword: string; n: number; entry: unknown }): Record<string, unknown> => ({
    [b.keyword]: Object.fromEntries(Array.from({ length: b.n }, (_, i) => [`k${i}`, b.entry])),
  });
  it('counts each schema as listed and compiles it', () => {
    for (const c of schemaCosts.schemas) {
      const schema = c.schema as Record<string, unknown>;
      const counted = withWork(schema);
      const count = countSchema(schema);
      expect([counted.objects, counted.depth, schemaCompileCost(schema)], c.name).toEqual([c.counted, c.depth, c.units]);
      expect([count.counted, count.depth, count.units], c.name).toEqual([c.counted, c.depth, c.units]);
      expect(checkJsonSchema(schema), c.name).toBeNull();
    }
  });
  it('refuses the schemas over 1,000 and accepts the one at 1,000', () => {
    for (const c of schemaCosts.refused) {
      expect(withWork(build(c.build)).objects, c.name).toBe(c.counted);
      expect(checkJsonSchema(build(c.build)), c.name).toMatch(/MAN-6/);
    }
    for (const c of schemaCosts.accepted) {
      expect(withWork(build(c.build)).objects, c.name).toBe(c.counted);
      expect(checkJsonSchema(build(c.build)), c.name).toBeNull();
    }
  });
});
