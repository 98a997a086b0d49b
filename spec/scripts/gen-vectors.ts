/**
 * Writes the generated vector files in `spec/vectors/` (envelopes, handshake, frames, did:key, strict
 * signatures) from fixed seeds and fixed times, so that they are byte-for-byte reproducible. The RFC 8032 and
 * RFC 8785 files are transcribed from the RFCs and are not generated. Run `node spec/scripts/gen-vectors.ts`;
 * `spec/test/vectors.test.ts` checks every file against every backend.
 */
import { writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import {
  DEFAULT_LIMITS, base64urlDecode, base64urlEncode, canonicalize, createEnvelope, digestOfSigningInput,
  envelopeSigningInput, keyPairFromSecret, signEnvelope, toHex, authSigningInput, signAuth, withoutSignature,
  httpAuthSigningInput, signHttpRequest,
  type Envelope, type HelloFrame, type KeyPair, type UnsignedEnvelope,
} from '../src/index.ts';
import * as ed from '@noble/ed25519';
import { GROUP_ORDER, SMALL_ORDER_ENCODINGS as SMALL_ORDER } from '../src/crypto/backend.ts';
import { publicKeyToDid, fromHex } from '../src/index.ts';
import { base58 } from '@scure/base';

/** did:key text for any 32 bytes, without the validity checks of publicKeyToDid (for invalid vectors). */
const publicKeyToDidUnchecked = (key: Uint8Array) => `did:key:z${base58.encode(Uint8Array.from([0xed, 0x01, ...key]))}`;

const vectorsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'vectors');
const seed = (label: string) => new Uint8Array(createHash('sha256').update(`baton-vector-${label}`).digest());
const keyJson = (k: KeyPair) => ({ did: k.did, public_key_hex: toHex(k.publicKey), secret_key_hex: toHex(k.secretKey) });

const alice = keyPairFromSecret(seed('alice'));
const bob = keyPairFromSecret(seed('bob'));
const relay = keyPairFromSecret(seed('relay'));
const NOW = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const ids = (n: number) => `019b7663-e800-7000-8000-${n.toString(16).padStart(12, '0')}`;
const context = { now: NOW, authenticated: alice.did, limits: { max_envelope_bytes: DEFAULT_LIMITS.max_envelope_bytes, max_clock_skew_ms: DEFAULT_LIMITS.max_clock_skew_ms } };

function write(name: string, value: unknown): void {
  writeFileSync(join(vectorsDir, name), `${JSON.stringify(value, null, 2)}\n`);
}

function describe(env: Envelope) {
  const input = envelopeSigningInput(env);
  return { jcs: canonicalize(withoutSignature(env)), signing_input_hex: toHex(input), digest: digestOfSigningInput(input), signature_hex: toHex(base64urlDecode(env.sig)) };
}

const manifest = {
  name: 'summarize.text', version: '1.0.0', description: 'Summarizes a text in at most n sentences.',
  input_schema: { type: 'object', required: ['text'], properties: { text: { type: 'string' }, n: { type: 'integer', minimum: 1 } } },
  output_schema: { type: 'object', required: ['summary'], properties: { summary: { type: 'string' } } },
  timeout_ms: 30_000, tags: ['nlp', 'text'], reliability: { success_bp: 9950, p95_ms: 1200 },
};
const request = createEnvelope(alice, { id: ids(1), ts: NOW, type: 'request', to: bob.did, exp: NOW + 60_000, thread: ids(1), body: { capability: 'summarize.text', input: { text: 'Baton relays signed envelopes.', n: 1 } } });
const valid: Record<string, Envelope> = {
  'valid/request-direct': request,
  'valid/request-capability': createEnvelope(alice, { id: ids(2), ts: NOW, type: 'request', to: 'cap:summarize.text', body: { capability: 'summarize.text', input: { text: 'caf\u00e9 \u20ac \ud83d\ude00', n: 2 } }, traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }),
  'valid/register': createEnvelope(alice, { id: ids(3), ts: NOW, type: 'register', to: relay.did, body: { handle: 'alice', manifests: [manifest] } }),
  'valid/message-with-ext': createEnvelope(alice, { id: ids(4), ts: NOW, type: 'message', to: bob.did, body: { text: 'hello', numbers: [1.5, 1e21, -0.000001] }, ext: { 'org.example/priority': 'high' }, idempotency_key: 'turn-42:summarize' }),
};
const validBob: Record<string, Envelope> = {
  'valid/receipt': createEnvelope(bob, { id: ids(5), ts: NOW + 10, type: 'receipt', to: alice.did, parent: request.id, body: { for: request.id, digest: digestOfSigningInput(envelopeSigningInput(request)) } }),
  'valid/result': createEnvelope(bob, { id: ids(6), ts: NOW + 20, type: 'result', to: alice.did, parent: request.id, thread: ids(1), body: { status: 'ok', output: { summary: 'Baton relays envelopes.' } } }),
};

const resign = (u: UnsignedEnvelope, k: KeyPair = alice) => signEnvelope(u, k.secretKey);
const { sig: _s, ...unsignedRequest } = request;
const sigBytes = base64urlDecode(request.sig);
const sPlusL = (() => {
  let s = 0n;
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sigBytes[i] ?? 0);
  s += GROUP_ORDER;
  const out = Uint8Array.from(sigBytes);
  for (let i = 32; i < 64; i++) { out[i] = Number(s & 0xffn); s >>= 8n; }
  return base64urlEncode(out);
})();
const big = 'x'.repeat(DEFAULT_LIMITS.max_envelope_bytes);
const invalid: { name: string; envelope: unknown; code: string; note: string }[] = [
  { name: 'schema/unknown-member', envelope: resign({ ...unsignedRequest, priority: 1 } as UnsignedEnvelope), code: 'INVALID_ENVELOPE', note: 'ENV-2: envelopes are closed' },
  { name: 'schema/missing-sig', envelope: unsignedRequest, code: 'INVALID_ENVELOPE', note: 'ENV-1' },
  { name: 'schema/id-not-uuidv7', envelope: resign({ ...unsignedRequest, id: '3b241101-e2bb-4255-8caf-4136c566a962' }), code: 'INVALID_ENVELOPE', note: 'ENV-3: a UUIDv4 is not accepted' },
  { name: 'schema/fractional-ts', envelope: { ...request, ts: NOW + 0.5 }, code: 'INVALID_ENVELOPE', note: 'CAN-2: header numbers are integers' },
  { name: 'schema/exp-before-ts', envelope: resign({ ...unsignedRequest, exp: NOW }), code: 'INVALID_ENVELOPE', note: 'ENV-4' },
  { name: 'schema/capability-mismatch', envelope: resign({ ...unsignedRequest, to: 'cap:translate' }), code: 'INVALID_ENVELOPE', note: 'TYP-2' },
  { name: 'schema/result-without-parent', envelope: resign({ v: 1, id: ids(7), type: 'result', from: alice.did, to: bob.did, ts: NOW, body: { status: 'ok', output: 1 } }), code: 'INVALID_ENVELOPE', note: 'TYP-3' },
  { name: 'schema/bad-result-status', envelope: resign({ v: 1, id: ids(8), type: 'result', from: alice.did, to: bob.did, ts: NOW, parent: ids(1), body: { status: 'done', output: 1 } }), code: 'INVALID_ENVELOPE', note: 'TYP-3' },
  { name: 'schema/bad-ext-name', envelope: resign({ ...unsignedRequest, ext: { priority: 1 } }), code: 'INVALID_ENVELOPE', note: 'VER-4: extension names are reverse-DNS' },
  { name: 'size/too-large', envelope: resign({ ...unsignedRequest, body: { capability: 'summarize.text', input: { text: big } } }), code: 'ENVELOPE_TOO_LARGE', note: 'ENV-5' },
  { name: 'version/v2', envelope: resign({ ...unsignedRequest, v: 2 }), code: 'UNSUPPORTED_VERSION', note: 'ENV-6' },
  { name: 'sender/spoofed-from', envelope: resign({ ...unsignedRequest, from: bob.did }, bob), code: 'SENDER_MISMATCH', note: 'CON-5: signed correctly by bob, but the connection is alice' },
  { name: 'order/sender-before-signature', envelope: resign({ ...unsignedRequest, from: bob.did }, alice), code: 'SENDER_MISMATCH', note: 'RTE-1: sender is checked before the signature' },
  { name: 'signature/tampered-body', envelope: { ...request, body: { capability: 'summarize.text', input: { text: 'Something else.', n: 1 } } }, code: 'BAD_SIGNATURE', note: 'SIG-4' },
  { name: 'signature/forged-by-other-key', envelope: resign(unsignedRequest, bob), code: 'BAD_SIGNATURE', note: 'signed by bob, claims alice' },
  { name: 'signature/s-plus-l', envelope: { ...request, sig: sPlusL }, code: 'BAD_SIGNATURE', note: 'SIG-3 (b): S >= L, a malleated copy of a valid signature' },
  { name: 'signature/tampered-to', envelope: { ...request, to: relay.did }, code: 'BAD_SIGNATURE', note: 'the audience is signed' },
  { name: 'order/signature-before-skew', envelope: { ...request, ts: NOW - 3_600_000 }, code: 'BAD_SIGNATURE', note: 'RTE-1: signature is checked before the clock' },
  { name: 'time/skew-past', envelope: resign({ ...unsignedRequest, ts: NOW - DEFAULT_LIMITS.max_clock_skew_ms - 1, exp: NOW + 60_000 }), code: 'CLOCK_SKEW', note: 'RPL-1' },
  { name: 'time/skew-future', envelope: resign({ ...unsignedRequest, ts: NOW + DEFAULT_LIMITS.max_clock_skew_ms + 1, exp: NOW + 3_600_000 }), code: 'CLOCK_SKEW', note: 'RPL-1' },
  { name: 'time/expired', envelope: resign({ ...unsignedRequest, ts: NOW - 10_000, exp: NOW }), code: 'EXPIRED', note: 'RPL-2: exp at the receiver time counts as passed' },
];
write('envelopes.json', {
  description: 'Envelope signing vectors (SPEC sections 5-7, 11, 12). For valid entries an implementation must reproduce jcs, signing_input_hex, digest and signature_hex from the envelope and the secret key (Ed25519 is deterministic). For invalid entries, checking the envelope with the given context (RTE-1 order) must yield exactly the code.',
  keys: { alice: keyJson(alice), bob: keyJson(bob), relay: keyJson(relay) },
  context,
  valid: [...Object.entries(valid).map(([name, envelope]) => ({ name, signer: 'alice', envelope, ...describe(envelope) })),
    ...Object.entries(validBob).map(([name, envelope]) => ({ name, signer: 'bob', envelope, ...describe(envelope) }))],
  invalid,
});

const hello: HelloFrame = { op: 'hello', versions: [1], relay: relay.did, challenge: base64urlEncode(seed('challenge')), ts: NOW, limits: { ...DEFAULT_LIMITS } };
const auth = signAuth(alice, hello, NOW + 5);
write('handshake.json', {
  description: 'Handshake vectors (SPEC CON-2..CON-4). signing_input_hex is "baton/v1/auth" || 0x00 || JCS({agent, challenge, relay, ts, v}).',
  keys: { alice: keyJson(alice), relay: keyJson(relay) }, hello, auth,
  signing_input_hex: toHex(authSigningInput({ agent: alice.did, challenge: hello.challenge, relay: relay.did, ts: auth.ts, v: 1 })),
  invalid: [
    { name: 'wrong-relay', note: 'the same auth frame checked on a connection to another relay', relay: bob.did, challenge: hello.challenge, auth, valid: false },
    { name: 'wrong-challenge', note: 'replayed on another connection', relay: relay.did, challenge: base64urlEncode(seed('other-challenge')), auth, valid: false },
    { name: 'ts-changed', relay: relay.did, challenge: hello.challenge, auth: { ...auth, ts: auth.ts + 1 }, valid: false },
  ],
});

const httpRequest = { method: 'GET', path: '/v1/dlq?limit=10', relay: relay.did, ts: NOW };
write('http-auth.json', {
  description: 'Signed HTTP request vectors (SPEC HTA-1, HTA-2). signing_input_hex is "baton/v1/http" || 0x00 || JCS({agent, method, path, relay, ts, v}); header is the Authorization value. Verify each case at now = ts with max_clock_skew_ms 300000.',
  keys: { alice: keyJson(alice), relay: keyJson(relay) },
  request: httpRequest,
  signing_input_hex: toHex(httpAuthSigningInput({ agent: alice.did, ...httpRequest, v: 1 })),
  header: signHttpRequest(alice, httpRequest),
  cases: [
    { name: 'valid', method: 'GET', path: '/v1/dlq?limit=10', relay: relay.did, valid: true },
    { name: 'other-path', note: 'the query string is signed', method: 'GET', path: '/v1/dlq?limit=11', relay: relay.did, valid: false },
    { name: 'other-method', method: 'DELETE', path: '/v1/dlq?limit=10', relay: relay.did, valid: false },
    { name: 'other-relay', note: 'replayed against another relay', method: 'GET', path: '/v1/dlq?limit=10', relay: bob.did, valid: false },
  ],
});

// Strict verification (SIG-3), built from RFC 8032 section 7.1 TEST 1 (empty message).
const rfcPub = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const rfcSig = 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';
const leHex = (n: bigint) => { const b = new Uint8Array(32); for (let i = 0; i < 32; i++) { b[i] = Number(n & 0xffn); n >>= 8n; } return toHex(b); };
const sOf = (sigHex: string) => { let s = 0n; for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(parseInt(sigHex.slice(i * 2, i * 2 + 2), 16)); return s; };
const P = 2n ** 255n - 19n;
const leInt = (bytes: Uint8Array) => { let n = 0n; for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i] ?? 0); return n; };
const sha512 = (...parts: Uint8Array[]) => { const h = createHash('sha512'); for (const p of parts) h.update(p); return new Uint8Array(h.digest()); };
/**
 * SIG-3 (g): a signature with R of small order that satisfies the cofactorless equation (f). With A = a·B + T
 * (T of order 8 or the identity) and S = k·a mod L, [S]B = R + [k]A holds when R = -k·T; k depends on the
 * message, so messages are tried until -k·T is `r`.
 */
function smallOrderRSignature(secret: Uint8Array, torsion: string, r: string): { public_key_hex: string; message_hex: string; signature_hex: string } {
  const a = ed.utils.getExtendedPublicKey(secret).scalar;
  const T = ed.Point.fromHex(torsion);
  const A = ed.Point.BASE.multiply(a).add(T);
  for (let i = 0; i < 256; i++) {
    const message = new TextEncoder().encode(`small-order R ${i}`);
    const k = leInt(sha512(fromHex(r), A.toBytes(), message)) % GROUP_ORDER;
    const kT = T.multiply(k, false);
    if (!kT.negate().equals(ed.Point.fromHex(r))) continue;
    return { public_key_hex: A.toHex(), message_hex: toHex(message), signature_hex: r + leHex((k * a) % GROUP_ORDER) };
  }
  throw new Error('no message found');
}

/** A valid signature under a key of mixed order (a·B + T): R = r·B, S = r + k·a, with a message where k·T = 0. */
function mixedOrderValid(secret: Uint8Array, torsion: string): { public_key_hex: string; message_hex: string; signature_hex: string } {
  const a = ed.utils.getExtendedPublicKey(secret).scalar;
  const A = ed.Point.BASE.multiply(a).add(ed.Point.fromHex(torsion));
  for (let i = 0; i < 256; i++) {
    const message = new TextEncoder().encode(`mixed-order key ${i}`);
    const r = leInt(sha512(secret, message)) % GROUP_ORDER;
    const R = ed.Point.BASE.multiply(r).toBytes();
    const k = leInt(sha512(R, A.toBytes(), message)) % GROUP_ORDER;
    if (k % 8n !== 0n) continue;
    return { public_key_hex: A.toHex(), message_hex: toHex(message), signature_hex: toHex(R) + leHex((r + k * a) % GROUP_ORDER) };
  }
  throw new Error('no message found');
}
const zero32 = '00'.repeat(32);
write('signatures-strict.json', {
  description: 'Strict Ed25519 verification (SPEC SIG-3). Every implementation must return exactly `valid` for (public_key_hex, message_hex, signature_hex).',
  cases: [
    { name: 'rfc8032-test1', rule: 'valid', public_key_hex: rfcPub, message_hex: '', signature_hex: rfcSig, valid: true },
    { name: 's-plus-l', rule: 'SIG-3 (b): S >= L (the RFC signature with L added to S)', public_key_hex: rfcPub, message_hex: '', signature_hex: rfcSig.slice(0, 64) + leHex(sOf(rfcSig) + GROUP_ORDER), valid: false },
    { name: 's-equals-l', rule: 'SIG-3 (b)', public_key_hex: rfcPub, message_hex: '', signature_hex: rfcSig.slice(0, 64) + leHex(GROUP_ORDER), valid: false },
    { name: 's-all-ones', rule: 'SIG-3 (b)', public_key_hex: rfcPub, message_hex: '', signature_hex: rfcSig.slice(0, 64) + 'ff'.repeat(32), valid: false },
    { name: 'r-y-equals-p', rule: 'SIG-3 (c): R encodes y = p', public_key_hex: rfcPub, message_hex: '', signature_hex: leHex(P) + rfcSig.slice(64), valid: false },
    { name: 'r-y-p-plus-1', rule: 'SIG-3 (c): R encodes y = p + 1 (the identity, non-canonically)', public_key_hex: rfcPub, message_hex: '', signature_hex: leHex(P + 1n) + rfcSig.slice(64), valid: false },
    { name: 'r-negative-zero-x', rule: 'SIG-3 (c): R is (0, 1) with the sign bit set', public_key_hex: rfcPub, message_hex: '', signature_hex: '01' + '00'.repeat(30) + '80' + rfcSig.slice(64), valid: false },
    { name: 'pk-y-p-plus-1', rule: 'SIG-3 (d): non-canonical public key', public_key_hex: leHex(P + 1n), message_hex: '', signature_hex: '01' + '00'.repeat(31) + zero32, valid: false },
    ...SMALL_ORDER.map((pk, i) => ({ name: `pk-small-order-${i}`, rule: 'SIG-3 (e): small-order public key; R = identity, S = 0 satisfies the equation for every message', public_key_hex: pk, message_hex: '68656c6c6f', signature_hex: '01' + '00'.repeat(31) + zero32, valid: false })),
    { name: 'r-identity', rule: 'SIG-3 (g): R is the identity; S = k·a satisfies (f) for any message signed with a', ...smallOrderRSignature(alice.secretKey, SMALL_ORDER[0]!, SMALL_ORDER[0]!), valid: false },
    { name: 'r-order-8', rule: 'SIG-3 (g): R of order 8 with a key of mixed order (a·B plus a point of order 8, accepted by (e)); S = k·a satisfies (f)', ...smallOrderRSignature(alice.secretKey, SMALL_ORDER[6]!, SMALL_ORDER[4]!), valid: false },
    { name: 'mixed-order-key', rule: 'valid: a key of mixed order is not of small order (e), and R = r·B passes (g)', ...mixedOrderValid(alice.secretKey, SMALL_ORDER[6]!), valid: true },
    { name: 'wrong-message', rule: 'SIG-3 (f)', public_key_hex: rfcPub, message_hex: '00', signature_hex: rfcSig, valid: false },
    { name: 'flipped-bit-in-r', rule: 'SIG-3 (f)', public_key_hex: rfcPub, message_hex: '', signature_hex: 'e4' + rfcSig.slice(2), valid: false },
    { name: 'short-signature', rule: 'SIG-3 (a)', public_key_hex: rfcPub, message_hex: '', signature_hex: rfcSig.slice(0, 126), valid: false },
  ],
});

write('did-key.json', {
  description: 'did:key for Ed25519 (SPEC ID-1, ID-2): did:key:z + base58btc(0xed 0x01 || public key).',
  valid: [
    { public_key_hex: rfcPub, did: publicKeyToDid(fromHex(rfcPub)) },
    { public_key_hex: toHex(alice.publicKey), did: alice.did },
  ],
  invalid: [
    { name: 'not-did-key', did: 'did:web:example.com', code: 'INVALID_IDENTITY' },
    { name: 'not-base58', did: 'did:key:z6Mk0OIl', code: 'INVALID_IDENTITY' },
    { name: 'secp256k1-multicodec', did: 'did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme', code: 'INVALID_IDENTITY' },
    { name: 'truncated', did: alice.did.slice(0, -4), code: 'INVALID_IDENTITY' },
    { name: 'small-order-key', did: publicKeyToDidUnchecked(fromHex(SMALL_ORDER[0]!)), code: 'INVALID_IDENTITY' },
  ],
});
console.log('wrote envelopes.json, handshake.json, http-auth.json, signatures-strict.json, did-key.json');
