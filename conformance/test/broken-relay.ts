// A deliberately broken relay for the suite's own tests: a raw `ws` server with a plausible handshake that
// never verifies signatures (auth or envelope), accepts every `send`, answers errors with wrong codes where
// noted, never delivers anything (so it never redelivers, dead-letters or rate-limits either), and serves
// /.well-known/baton with the limits it was started with. The suite must fail the matching cases.
import { createServer, type Server } from 'node:http';
import { base64urlEncode, DEFAULT_LIMITS, generateKeyPair, type Limits } from '@baton/spec';
import { WebSocketServer } from 'ws';

/** A started broken relay. */
export interface BrokenRelay {
  url: string;
  close(): Promise<void>;
}

/** Starts the broken relay on an ephemeral loopback port, announcing the default limits with `overrides`. */
export async function startBrokenRelay(overrides: Partial<Limits> = {}): Promise<BrokenRelay> {
  const relay = generateKeyPair().did;
  const limits = { ...DEFAULT_LIMITS, handshake_timeout_ms: 500, ...overrides };
  const server: Server = createServer((req, res) => {
    if (req.url === '/.well-known/baton') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ relay, versions: [1], software: { name: 'broken', version: '0' }, admission: 'open', endpoints: { ws: '/v1/ws' }, limits }));
      return;
    }
    res.writeHead(404).end();
  });
  const wss = new WebSocketServer({ server, path: '/v1/ws' });
  wss.on('connection', (ws) => {
    let authed = false;
    ws.send(JSON.stringify({ op: 'hello', versions: [1], relay, challenge: base64urlEncode(crypto.getRandomValues(new Uint8Array(32))), ts: Date.now(), limits }));
    ws.on('message', (data) => {
      let f: Record<string, unknown>;
      try {
        f = JSON.parse(data.toString()) as Record<string, unknown>;
      } catch {
        ws.send(JSON.stringify({ op: 'error', code: 'INVALID_FRAME', message: 'wrong code on purpose' }));
        return;
      }
      if (!authed && f.op === 'auth') {
        authed = true; // BROKEN: no signature, version, skew or identity check
        ws.send(JSON.stringify({ op: 'welcome', v: 1, agent: f.agent, relay, session: 's' }));
      } else if (f.op === 'send') {
        const env = f.env as { id?: unknown } | undefined;
        ws.send(JSON.stringify({ op: 'accepted', id: env?.id })); // BROKEN: accepts everything
      } else if (f.op === 'discover') {
        ws.send(JSON.stringify({ op: 'discovered', ref: f.ref, agents: [] }));
      } else {
        ws.send(JSON.stringify({ op: 'error', code: 'INVALID_FRAME', message: 'unexpected' }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `ws://127.0.0.1:${port}/v1/ws`,
    close: () => new Promise<void>((resolve) => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.close(() => resolve());
    }),
  };
}
