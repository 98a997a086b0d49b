// Shared steps of conformance cases: "error with this exact code, then closed", "connection still works",
// unique capability names, malleated signatures, small-order identities.
import { createHash } from 'node:crypto';
import {
  base64urlDecode, base64urlEncode, envelopeSigningInput, ERROR_CODES, isErrorCode, withoutSignature, type Envelope, type KeyPair,
} from '@baton/spec';
import { CaseFailure, check, show } from '../assert.ts';
import type { CaseContext, TestAgent } from '../context.ts';
import type { WireConnection } from '../wire/connection.ts';

/**
 * Waits for an `error` frame with exactly `code`, then for the close. When the registry marks `code` fatal,
 * the close code must be 1008 with the code as reason (ERR-3); before `welcome` any close satisfies CON-6.
 */
export async function expectFatal(conn: WireConnection, code: string): Promise<void> {
  const f = await conn.expect(`error frame with code ${code}`, (x) => x.op === 'error' || x.op === 'welcome');
  check(f.op === 'error' && f.code === code, `error frame with code ${code}`, `${String(f.op)} frame ${show(f)}`);
  const closed = await conn.waitClose(`connection closed after ${code}`);
  if (isErrorCode(code) && ERROR_CODES[code].fatal) {
    check(closed.code === 1008 && closed.reason === code, `close 1008 with reason ${code} (ERR-3)`, `close ${closed.code} ${closed.reason}`);
  }
}

let refCounter = 0;

/** Proves the connection still works after an error: a `discover` is answered `discovered` (ERR-3). */
export async function expectAlive(agent: TestAgent, after: string): Promise<void> {
  const ref = `alive-${++refCounter}`;
  agent.conn.send({ op: 'discover', ref, query: { capability: 'conformance.none' } });
  const f = await agent.conn.expect(`connection open after ${after} (discover answered)`, (x) => x.ref === ref || x.op === 'error');
  if (f.op !== 'discovered') throw new CaseFailure(`discovered frame for ref ${ref} after ${after}`, show(f));
}

/** Sends `text` on an authenticated connection and expects a non-fatal `error` with `code`, connection open. */
export async function expectNonFatal(agent: TestAgent, text: string, code: string): Promise<void> {
  agent.conn.sendText(text);
  const f = await agent.conn.expect(`error frame with code ${code}`, (x) => x.op === 'error');
  check(f.code === code, `error frame with code ${code}`, show(f));
  await expectAlive(agent, code);
}

/** A capability name unique to this run, so cases do not see each other on a shared relay. */
export function uniqueCapability(prefix: string): string {
  return `conf.${prefix}.${Math.random().toString(36).slice(2, 10)}`;
}

/** A minimal valid capability manifest. */
export function manifest(name: string, tags: string[] = []): Record<string, unknown> {
  return {
    name, version: '1.0.0', description: `conformance test capability ${name}`,
    input_schema: { type: 'object' }, output_schema: { type: 'object' }, timeout_ms: 5000, tags,
  };
}

/** A did:key of a small-order point (spec/vectors/did-key.json `small-order-key`). */
export const SMALL_ORDER_DID = 'did:key:z6MkeXATEjyXENzBXBxgC5EHk2JE5aqd7qMGGtDpLUH1e2Sj';
/** R = identity, S = 0: satisfies the cofactorless equation for every message under a small-order key. */
export const IDENTITY_SIG = base64urlEncode(Uint8Array.from([1, ...new Array<number>(63).fill(0)]));

const L = (1n << 252n) + 27742317777372353535851937790883648493n;

/** Little-endian bytes as an integer (Ed25519 scalars and S, RFC 8032 section 5.1.2). */
const leInt = (bytes: Uint8Array) => bytes.reduceRight((n, b) => (n << 8n) | BigInt(b), 0n);

/** Writes `n` little-endian into `out[32..64)`, the S half of a signature. */
function setS(out: Uint8Array, n: bigint): Uint8Array {
  for (let i = 32; i < 64; i++) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

/** The same signature with L added to S (SIG-3 b): verifies under a lax verifier, invalid under strict rules. */
export function malleateSignature(sig: string): string {
  const bytes = base64urlDecode(sig);
  return base64urlEncode(setS(new Uint8Array(bytes), leInt(bytes.subarray(32)) + L));
}

/** A signature whose R is y = p (not canonical, SIG-3 c), keeping S. */
export function nonCanonicalR(sig: string): string {
  const bytes = new Uint8Array(base64urlDecode(sig));
  bytes[0] = 0xed;
  bytes.fill(0xff, 1, 31);
  bytes[31] = 0x7f;
  return base64urlEncode(bytes);
}

/**
 * Closes `agent`'s connection and waits until the relay reports it offline in discovery (it must have
 * registered `capability`), polling through `observer` every 20 ms up to the context timeout.
 * @throws CaseFailure when the relay still lists it online after the timeout (DIS-3).
 */
export async function disconnectAndWaitOffline(ctx: CaseContext, agent: TestAgent, observer: TestAgent, capability: string): Promise<void> {
  agent.conn.close();
  await agent.conn.waitClose(`${agent.conn.label} disconnected`);
  const deadline = Date.now() + ctx.timeoutMs;
  for (;;) {
    const ref = `off-${++refCounter}`;
    observer.conn.send({ op: 'discover', ref, query: { capability } });
    const f = await observer.conn.expect(`discovered for ${ref}`, (x) => x.ref === ref);
    const agents = Array.isArray(f.agents) ? (f.agents as Array<{ agent?: string }>) : [];
    if (!agents.some((e) => e.agent === agent.did)) return;
    if (Date.now() > deadline) throw new CaseFailure(`${agent.did} offline in discovery after its connection closed (DIS-3)`, show(f));
    await observer.conn.absent(() => false, 20);
  }
}

/**
 * `env` re-signed by `key` with R = the identity (small order, SIG-3 (g)) and S = k·a mod L: it satisfies the
 * cofactorless equation (f), so only a verifier that applies (g) rejects it. `a` is the RFC 8032 section
 * 5.1.5 secret scalar of `key`'s seed, k = SHA-512(R || A || signing input) mod L.
 */
export function identityRSignature(env: Envelope, key: KeyPair): string {
  const h = createHash('sha512').update(key.secretKey).digest();
  h[0] = (h[0] ?? 0) & 248;
  h[31] = ((h[31] ?? 0) & 127) | 64;
  const a = leInt(h.subarray(0, 32));
  const out = new Uint8Array(base64urlDecode(IDENTITY_SIG));
  const k = leInt(createHash('sha512').update(out.subarray(0, 32)).update(key.publicKey).update(envelopeSigningInput(withoutSignature(env))).digest()) % L;
  return base64urlEncode(setS(out, (k * a) % L));
}
