/**
 * Figure 3, crypto micro-figures, measured in the bench's main process (one thread, so one core): Ed25519 sign
 * and verify per second for each backend (noble, node:crypto and libsodium), canonicalize/s, validateEnvelope/s and
 * checkEnvelope/s (schema + signature + skew, SPEC RTE-1's stateless part) on the routed workload's envelope;
 * validations/s of a request input against a capability's input schema (MAN-4) and distinct schemas compiled/s.
 */
import {
  DEFAULT_LIMITS, canonicalize, checkEnvelope, createEnvelope, envelopeSigningInput, generateKeyPair,
  availableBackends, checkJsonSchema, getDefaultBackend, validateAgainstSchema, validateEnvelope, type Ed25519Backend,
} from '@baton/spec';
import { nodeBackend } from '@baton/spec/node';
import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { round } from '../lib/stats.ts';
import { PAYLOAD_BYTES } from '../lib/workload.ts';
import type { Figures } from '../report/figure.ts';

/** Operations per second of `op`, run in batches for about `ms` milliseconds after a short warm-up. */
export function opsPerSecond(op: () => unknown, ms: number): number {
  const deadline = performance.now() + ms / 5;
  while (performance.now() < deadline) op();
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < 50; i++) op();
    count += 50;
    elapsed = performance.now() - start;
  }
  return (count / elapsed) * 1000;
}

/** Short labels of the backends in figure keys (`crypto.<label>.verify`). */
const LABELS: Record<string, string> = { noble: 'noble', 'node:crypto': 'node', libsodium: 'libsodium' };

/**
 * Single-core strict verify rate (ops/s) of `backend` on a routed-workload envelope, measured now for about
 * `ms`: with `node:crypto` (the parameter's default) it is the baseline the issue divides the routed figures by,
 * taken next to them.
 * @throws Error when `node:crypto` is not available (outside Node).
 */
export function verifyRateNow(ms: number, backend: Ed25519Backend | undefined = nodeBackend): number {
  if (backend === undefined) throw new Error('node:crypto is not available');
  const key = generateKeyPair();
  const env = createEnvelope(key, { type: 'message', to: generateKeyPair().did, body: { seq: 1, text: 'x'.repeat(PAYLOAD_BYTES) } });
  const input = envelopeSigningInput(env);
  const signature = backend.sign(key.secretKey, input);
  return opsPerSecond(() => backend.verify(key.publicKey, input, signature), ms);
}

/**
 * A capability input schema of about 8 KB: 40 described string properties, the size of a documented real-world
 * tool schema. `variant` makes distinct schemas of the same size (for the compile figure).
 */
function capabilitySchema(variant: number): Record<string, unknown> {
  const description = 'A field of the input that the provider reads, documented at the length tool schemas use. ';
  const properties = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`field_${i}`, { type: 'string', description: description.repeat(2), maxLength: 500 }]));
  return { type: 'object', description: `input, variant ${variant}`, properties, required: ['field_0'], additionalProperties: false };
}

/** The crypto figures and the sample envelope they used. */
export function cryptoFigures(ms: number): { figures: Figures } {
  const key = generateKeyPair();
  const to = generateKeyPair().did;
  const env = createEnvelope(key, { type: 'message', to, body: { seq: 1, text: 'x'.repeat(PAYLOAD_BYTES) } });
  const input = envelopeSigningInput(env);
  const figures: Figures = {};
  const defaultBackend = getDefaultBackend();
  for (const backend of availableBackends) {
    const label = LABELS[backend.name] ?? backend.name;
    const signature = backend.sign(key.secretKey, input);
    const used = backend === defaultBackend ? '; the default here (relay and clients use it)' : '';
    figures[`crypto.${label}.sign`] = { value: round(opsPerSecond(() => backend.sign(key.secretKey, input), ms), 0), unit: 'ops/s', note: backend.name + used };
    figures[`crypto.${label}.verify`] = {
      value: round(opsPerSecond(() => backend.verify(key.publicKey, input, signature), ms), 0), unit: 'ops/s',
      note: `${backend.name}, strict (SIG-3), single core${used}`,
    };
  }
  // Raw OpenSSL verify with a prepared KeyObject, without the SIG-3 prechecks: the floor of the node backend.
  const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(key.publicKey)]);
  const keyObject = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  const rawSignature = defaultBackend.sign(key.secretKey, input);
  figures['crypto.openssl_raw.verify'] = {
    value: round(opsPerSecond(() => nodeVerify(null, input, keyObject, rawSignature), ms), 0), unit: 'ops/s',
    note: 'crypto.verify on a cached KeyObject, no strict prechecks',
  };
  const unsigned: Record<string, unknown> = { ...env };
  delete unsigned.sig;
  figures['crypto.canonicalize'] = { value: round(opsPerSecond(() => canonicalize(unsigned), ms), 0), unit: 'ops/s' };
  figures['crypto.validateEnvelope'] = { value: round(opsPerSecond(() => validateEnvelope(env), ms), 0), unit: 'ops/s' };
  const ctx = { now: Date.now(), limits: DEFAULT_LIMITS, authenticated: key.did };
  figures['crypto.checkEnvelope'] = {
    value: round(opsPerSecond(() => checkEnvelope(env, ctx), ms), 0), unit: 'ops/s',
    note: `schema + size + sender + signature (${defaultBackend.name}) + skew`,
  };
  // MAN-4: requester, relay (RTE-1's input check) and provider each validate a request's input, the same way the output.
  const schema = capabilitySchema(0);
  const schemaBytes = JSON.stringify(schema).length;
  const requestInput = { field_0: 'hand-off', field_1: 'x'.repeat(200) };
  figures['crypto.validateInput'] = {
    value: round(opsPerSecond(() => validateAgainstSchema(schema, requestInput), ms), 0), unit: 'ops/s',
    note: `validateAgainstSchema: a request input against a ${schemaBytes}-byte capability input schema (the same schema object each time, as agents and the relay hold it)`,
  };
  let variant = 1;
  figures['crypto.compileSchema'] = {
    value: round(opsPerSecond(() => checkJsonSchema(capabilitySchema(variant++)), ms), 0), unit: 'schemas/s',
    note: `checkJsonSchema on distinct ${schemaBytes}-byte schemas: meta-schema check and compilation, what a relay pays per new capability schema registered`,
  };
  return { figures };
}
