// Shared steps of the dead-letter-queue cases (SPEC sections 19-20): requests signed by an agent key
// (Authorization: Baton, HTA-1) or carrying the operator token, the error-body check, and the shape of a
// dead-letter entry (schemas/dlq-entry.schema.json).
import { PROTOCOL_SCHEMAS, isErrorCode, isValidDid, signHttpRequest, type KeyPair } from '@baton/spec';
import { CaseSkipped, check, show } from '../assert.ts';
import type { CaseContext, TestAgent } from '../context.ts';

/** Status and parsed JSON body of an HTTP answer. */
export interface HttpAnswer {
  status: number;
  body: unknown;
}

/** What a signed header may be made for instead of the request it is sent with (HTA-2 hostile variants). */
export interface SignedFor {
  method?: string;
  path?: string;
  relay?: string;
  ts?: number;
}

/**
 * The `Authorization: Baton <did> <ts> <sig>` value of `key` for `method` and `path` (HTA-1), with `ts` on the
 * relay's clock; `over` replaces what is signed (another method, target, relay or time).
 */
export function batonAuthorization(ctx: CaseContext, key: KeyPair, method: string, path: string, over: SignedFor = {}): string {
  return signHttpRequest(key, { method: over.method ?? method, path: over.path ?? path, relay: over.relay ?? ctx.relayDid, ts: over.ts ?? ctx.now() });
}

/** Sends `method path` signed by `agent` (HTA-1); the target is signed exactly as sent, query string included. */
export function signedRequest(ctx: CaseContext, agent: TestAgent | KeyPair, method: string, path: string): Promise<HttpAnswer> {
  const key = 'key' in agent ? agent.key : agent;
  return ctx.http(method, path, { authorization: batonAuthorization(ctx, key, method, path) });
}

/**
 * Sends `method path` with `Authorization: Bearer <token>` (the run's operator token unless `token` is given).
 * @throws CaseSkipped when the run has no operator token (`--operator-token`).
 */
export function operatorRequest(ctx: CaseContext, method: string, path: string, token?: string): Promise<HttpAnswer> {
  const bearer = token ?? requireOperatorToken(ctx);
  return ctx.http(method, path, { authorization: `Bearer ${bearer}` });
}

/** The run's operator token. @throws CaseSkipped when there is none. */
export function requireOperatorToken(ctx: CaseContext): string {
  if (ctx.operatorToken === undefined) throw new CaseSkipped('no operator token given (--operator-token): operator access to /v1/dlq is not checked');
  return ctx.operatorToken;
}

/** Fails unless `res` has `status` and the error body `{ "error": { "code": <code>, "message": string } }` (DLQ-1). */
export function expectHttpError(res: HttpAnswer, status: number, code: string, what: string): void {
  const error = (res.body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  check(res.status === status && error?.code === code && typeof error.message === 'string',
    `${status} {"error":{"code":"${code}","message":...}} for ${what}`, `${res.status} ${show(res.body)}`);
}

/** Fails unless `res` is 200 with a JSON object body; returns the body. */
export function expectOk(res: HttpAnswer, what: string): Record<string, unknown> {
  check(res.status === 200 && res.body !== null && typeof res.body === 'object' && !Array.isArray(res.body), `200 with a JSON object for ${what}`, `${res.status} ${show(res.body)}`);
  return res.body as Record<string, unknown>;
}

const UUIDV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const isCount = (v: unknown, min: number): boolean => Number.isSafeInteger(v) && (v as number) >= min;

/**
 * Checks one dead-letter entry against schemas/dlq-entry.schema.json: the schema's required members, then the
 * type of each member the schema defines (entry >= 1, did:keys, UUIDv7 id, registry codes, integer times).
 * @returns the first problem, or undefined when the entry fits.
 */
export function entryProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
  const e = value as Record<string, unknown>;
  const missing = (PROTOCOL_SCHEMAS['dlq-entry'].required as readonly string[]).filter((name) => !(name in e));
  if (missing.length > 0) return `missing ${missing.join(', ')}`;
  const lastError = e.last_error as { code?: unknown; message?: unknown } | undefined;
  const rules: Array<[string, boolean]> = [
    ['entry', isCount(e.entry, 1)], ['sender', typeof e.sender === 'string' && isValidDid(e.sender)],
    ['id', typeof e.id === 'string' && UUIDV7.test(e.id)], ['type', typeof e.type === 'string'],
    ['to', typeof e.to === 'string' && e.to.length <= 128],
    ['recipient', e.recipient === null || (typeof e.recipient === 'string' && isValidDid(e.recipient))],
    ['reason', isErrorCode(e.reason)], ['attempts', isCount(e.attempts, 0)],
    ['accepted_at', isCount(e.accepted_at, 0)], ['dead_lettered_at', isCount(e.dead_lettered_at, 0)],
    ['last_error', lastError === undefined || (isErrorCode(lastError.code) && typeof lastError.message === 'string')],
    ['envelope', e.envelope === undefined || (typeof e.envelope === 'object' && e.envelope !== null)],
  ];
  const bad = rules.find(([, ok]) => !ok);
  return bad === undefined ? undefined : `${bad[0]} does not match the schema: ${show(e[bad[0]])}`;
}
