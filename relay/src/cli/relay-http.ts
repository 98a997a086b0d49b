/**
 * HTTP helpers for the `baton` CLI commands that talk to a relay's HTTP API (`agents`, `dlq`): base URL
 * resolution, JSON requests that turn every failure into a registry-style `CODE: message`, and the relay
 * did:key from `/.well-known/baton` (needed to sign requests, SPEC HTA-1).
 */
import { isValidDid } from '@baton/spec';

/** Default relay HTTP base URL. */
export const DEFAULT_HTTP_URL = 'http://127.0.0.1:8787';

/** A request outcome: the parsed JSON body of a 2xx answer, or an error code and message. */
export type HttpResult<T = unknown> = { ok: true; doc: T } | { ok: false; code: string; message: string };

/** The base URL from a flag, `BATON_HTTP_URL`, or the default; undefined when it is not an http(s) URL. */
export function httpBase(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): URL | undefined {
  try {
    const url = new URL(flag ?? env['BATON_HTTP_URL'] ?? DEFAULT_HTTP_URL);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Sends a request and parses the JSON answer. Never throws.
 * @returns the body of a 2xx answer; otherwise the `{"error":{"code","message"}}` of the answer,
 *   `HTTP_<status>` for an answer without one, or `CONNECTION_CLOSED` when the relay cannot be reached.
 */
export async function requestJson<T = unknown>(url: URL, init: RequestInit = {}): Promise<HttpResult<T>> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, init);
    text = await response.text();
  } catch (error) {
    return { ok: false, code: 'CONNECTION_CLOSED', message: `cannot reach ${url.origin}: ${error instanceof Error ? error.message : String(error)}` };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    doc = undefined;
  }
  if (response.ok && doc !== undefined) return { ok: true, doc: doc as T };
  const err = (doc as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (!response.ok && typeof err?.code === 'string') return { ok: false, code: err.code, message: String(err.message ?? '') };
  return { ok: false, code: `HTTP_${response.status}`, message: `unexpected answer from ${url.href}: ${text.slice(0, 200)}` };
}

/** The relay's did:key from its information document (LIM-1). */
export async function fetchRelayDid(base: URL): Promise<HttpResult<string>> {
  const url = new URL('/.well-known/baton', base);
  const info = await requestJson<{ relay?: unknown }>(url);
  if (!info.ok) return info;
  const did = info.doc.relay;
  return typeof did === 'string' && isValidDid(did)
    ? { ok: true, doc: did }
    : { ok: false, code: 'INVALID_IDENTITY', message: `${url.href} names no valid relay did:key` };
}

/** Prints `CODE: message` on stderr and returns exit status 1. */
export function fail(failure: { code: string; message: string }): number {
  process.stderr.write(`${failure.code}: ${failure.message}\n`);
  return 1;
}
