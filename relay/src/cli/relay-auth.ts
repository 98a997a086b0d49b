/**
 * Authenticated calls from the `baton` CLI to a relay's protected HTTP API (`dlq`, `tasks`): the shared
 * flags (`--relay URL`, `--key FILE` for an agent, `--operator-token TOKEN` or `BATON_OPERATOR_TOKEN` for the
 * operator), the key file, and the `Authorization` header - a bearer token or a signed request (SPEC HTA-1)
 * naming the relay's did:key from `/.well-known/baton`.
 */
import { readFileSync } from 'node:fs';
import { decodeKeyFile, signHttpRequest, type KeyPair } from '@baton/spec';
import { fetchRelayDid, httpBase, requestJson, type HttpResult } from './relay-http.ts';

/** parseArgs options of the shared flags. */
export const AUTH_OPTIONS = {
  relay: { type: 'string' }, key: { type: 'string' }, 'operator-token': { type: 'string' },
} as const;

/** Usage text of the shared flags. */
export const AUTH_USAGE = `  every subcommand takes --relay URL (default BATON_HTTP_URL or http://127.0.0.1:8787) and either
  --key FILE (an agent: what it may see) or --operator-token TOKEN (or BATON_OPERATOR_TOKEN: everything)`;

/** The parsed shared flags. */
export interface AuthFlags {
  relay?: string;
  key?: string;
  'operator-token'?: string;
}

/** Where and as whom to call. */
export interface RelayTarget {
  readonly base: URL;
  readonly keyPath: string | undefined;
  readonly token: string | undefined;
}

type Credentials = { kind: 'key'; key: KeyPair } | { kind: 'token'; token: string };

/**
 * Resolves the shared flags; an explicit flag wins over the environment.
 * @returns the target, or a usage problem (exit 2): bad URL, both or neither of --key and a token.
 */
export function relayTarget(values: AuthFlags): RelayTarget | string {
  const base = httpBase(values.relay);
  if (base === undefined) return `invalid --relay ${values.relay ?? process.env['BATON_HTTP_URL'] ?? ''}`;
  if (values.key !== undefined && values['operator-token'] !== undefined) return 'give --key or --operator-token, not both';
  const token = values['operator-token'] ?? (values.key === undefined ? process.env['BATON_OPERATOR_TOKEN'] : undefined);
  if (values.key === undefined && token === undefined) return 'give --key FILE or --operator-token TOKEN (or set BATON_OPERATOR_TOKEN)';
  return { base, keyPath: values.key, token };
}

function credentials(target: RelayTarget): HttpResult<Credentials> {
  if (target.token !== undefined) return { ok: true, doc: { kind: 'token', token: target.token } };
  const keyPath = target.keyPath ?? '';
  let text: string;
  try {
    text = readFileSync(keyPath, 'utf8');
  } catch {
    return { ok: false, code: 'INVALID_IDENTITY', message: `cannot read key file ${keyPath}` };
  }
  try {
    return { ok: true, doc: { kind: 'key', key: decodeKeyFile(text) } };
  } catch (error) {
    return { ok: false, code: 'INVALID_IDENTITY', message: `${keyPath}: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** The `Authorization` header for one request: the bearer token, or a signature naming the relay's did. */
async function authorization(creds: Credentials, base: URL, method: string, url: URL): Promise<HttpResult<string>> {
  if (creds.kind === 'token') return { ok: true, doc: `Bearer ${creds.token}` };
  const relay = await fetchRelayDid(base);
  if (!relay.ok) return relay;
  // fetch sends the normalized URL, so the signature covers exactly the target the relay receives.
  return { ok: true, doc: signHttpRequest(creds.key, { method, path: `${url.pathname}${url.search}`, relay: relay.doc }) };
}

/**
 * Sends one authenticated request to `path` (with its query string). Never throws.
 * @returns the JSON body of a 2xx answer, or `CODE: message`: INVALID_IDENTITY for an unusable key file,
 *   the relay's error (UNAUTHORIZED, NOT_FOUND, INVALID_FRAME, ...), CONNECTION_CLOSED when unreachable.
 */
export async function callRelay<T = unknown>(target: RelayTarget, method: string, path: string): Promise<HttpResult<T>> {
  const creds = credentials(target);
  if (!creds.ok) return creds;
  const url = new URL(path, target.base);
  const auth = await authorization(creds.doc, target.base, method, url);
  if (!auth.ok) return auth;
  return requestJson<T>(url, { method, headers: { authorization: auth.doc } });
}
