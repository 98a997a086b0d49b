/**
 * HTTP endpoints of the relay (hono): the relay information document (SPEC LIM-1), discovery over HTTP
 * (DIS-4), the dead-letter queue (DLQ-1..DLQ-4, see dlq-routes.ts), tasks (TSK-18, see task-routes.ts) and a
 * health check. Runtime-neutral: the
 * Node adapter serves `app.fetch`. Errors are `{"error":{"code","message"}}`; unknown paths are 404 NOT_FOUND.
 */
import { Hono } from 'hono';
import type { DiscoveryQuery, RelayInfo } from '@baton/spec';
import type { RelayCore } from '../core/relay-core.ts';
import { DISCOVERY_MAX_LIMIT } from '../core/discovery.ts';
import { dlqRoutes } from './dlq-routes.ts';
import { httpError } from './http-error.ts';
import { taskRoutes } from './task-routes.ts';

/** Path of the WebSocket endpoint (CON-1). */
export const WS_PATH = '/v1/ws';

const NAME = /^[a-z][a-z0-9._-]{0,63}$/;
const TAG = /^[a-z0-9][a-z0-9._-]{0,31}$/;

/** Software name and version reported in the information document. */
export interface SoftwareInfo {
  readonly name: string;
  readonly version: string;
}

/** Builds the relay information document (LIM-1). */
export function relayInfo(core: RelayCore, software: SoftwareInfo): RelayInfo {
  return {
    relay: core.did,
    versions: core.helloFields().versions,
    software: { name: software.name, version: software.version },
    admission: core.admission,
    endpoints: { ws: WS_PATH },
    limits: core.limits,
  };
}

/**
 * Parses `GET /v1/agents` query parameters into a discovery query.
 * @returns the query, or a message describing the first bad parameter.
 */
export function parseAgentsQuery(params: Record<string, string>): DiscoveryQuery | string {
  const q: DiscoveryQuery = {};
  const { capability, tag, include_offline: offline, limit } = params;
  if (capability !== undefined) {
    if (!NAME.test(capability)) return 'capability must match ^[a-z][a-z0-9._-]{0,63}$';
    q.capability = capability;
  }
  if (tag !== undefined) {
    if (!TAG.test(tag)) return 'tag must match ^[a-z0-9][a-z0-9._-]{0,31}$';
    q.tag = tag;
  }
  if (offline !== undefined) {
    if (offline !== 'true' && offline !== 'false') return 'include_offline must be true or false';
    q.include_offline = offline === 'true';
  }
  if (limit !== undefined) {
    const n = /^[0-9]{1,4}$/.test(limit) ? Number(limit) : NaN;
    if (!(n >= 1 && n <= DISCOVERY_MAX_LIMIT)) return `limit must be an integer 1..${DISCOVERY_MAX_LIMIT}`;
    q.limit = n;
  }
  return q;
}

/** HTTP settings that are not protocol limits. */
export interface HttpOptions {
  /** Operator token for `/v1/dlq` and `/v1/tasks` (HTA-3, TSK-18); absent = operator access off. */
  readonly operatorToken?: string;
}

/** Creates the hono app serving the relay's HTTP endpoints. */
export function createApp(core: RelayCore, software: SoftwareInfo, options: HttpOptions = {}): Hono {
  const app = new Hono();
  app.get('/.well-known/baton', (c) => c.json(relayInfo(core, software)));
  app.get('/v1/agents', (c) => {
    const q = parseAgentsQuery(c.req.query());
    if (typeof q === 'string') return httpError(c, 'INVALID_FRAME', q);
    return c.body(`{"agents":${core.queryJson(q)}}`, 200, { 'content-type': 'application/json' });
  });
  const auth = {
    relayDid: core.did, now: () => core.now(), maxClockSkewMs: core.limits.max_clock_skew_ms,
    ...(options.operatorToken === undefined ? {} : { operatorToken: options.operatorToken }),
  };
  app.route('/v1/dlq', dlqRoutes({ ...auth, dlq: core.dlq }));
  app.route('/v1/tasks', taskRoutes({ ...auth, tasks: core.tasks }));
  app.get('/v1/health', (c) => c.json({ status: 'ok', relay: core.did, connections: core.connectionCount }));
  app.notFound((c) => httpError(c, 'NOT_FOUND', `no route ${c.req.method} ${new URL(c.req.url).pathname}`));
  app.onError((err, c) => httpError(c, 'INTERNAL_ERROR', err.message));
  return app;
}
