/**
 * The Node.js adapter: the only module that touches `ws` and `@hono/node-server`. One HTTP server serves the
 * hono app and upgrades `/v1/ws` to WebSocket (other paths: 404). Each socket gets a core session.
 *
 * Transport rules enforced here: binary messages reach the core as `null` (MALFORMED_FRAME, ENC-1);
 * messages over `max_frame_bytes` make `ws` close the connection with 1009 by itself (ERR-4), which is only
 * logged; heartbeats (CON-8) ping every `heartbeat_ms` and terminate a socket that sent neither a pong nor
 * any message since the previous ping. Every frame is written with a callback that reports the write to the
 * core (`onDrain`), which resumes deliveries to a slow consumer once its buffer has drained (FLW-2).
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { RelayCore } from '../core/relay-core.ts';
import { WS_PATH } from '../http/routes.ts';
import { WsConnection } from './ws-connection.ts';

/** Options of {@link listenNode}. */
export interface NodeServerOptions {
  readonly core: RelayCore;
  readonly app: Hono;
  readonly host: string;
  /** TCP port; 0 = ephemeral. */
  readonly port: number;
  readonly log: Logger;
}

/** A listening server. */
export interface NodeServer {
  /** The bound port. */
  readonly port: number;
  /** Stops accepting, closes every connection and the HTTP server. */
  close(): Promise<void>;
}

/** Starts the HTTP + WebSocket server. Rejects when the port cannot be bound. */
export async function listenNode(o: NodeServerOptions): Promise<NodeServer> {
  const { core, log } = o;
  const server = createAdaptorServer({ fetch: o.app.fetch }) as Server;
  const wss = new WebSocketServer({ noServer: true, maxPayload: core.limits.max_frame_bytes });
  const connections = new Map<WebSocket, WsConnection>();

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', destroySocket);
    const path = (req.url ?? '').split('?')[0];
    if (path !== WS_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
      return;
    }
    upgrade(req, socket, head);
  });

  /**
   * Its own function so that the connection's closures (which live as long as the connection) do not share a
   * scope with the upgrade request: an idle agent keeps no IncomingMessage, headers or head buffer alive.
   */
  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const remoteAddress = req.socket.remoteAddress ?? '';
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws, socket, remoteAddress));
  }

  function accept(ws: WebSocket, raw: Duplex, remoteAddress: string): void {
    const connection = new WsConnection(ws, raw, remoteAddress);
    connections.set(ws, connection);
    connection.session = core.open(connection);
    ws.on('message', onMessage);
    ws.on('pong', onPong);
    ws.on('error', onError);
    ws.on('close', onClose);
  }

  // Listeners shared by every connection (`this` is the socket): no closures per connection.
  function onMessage(this: WebSocket, data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    const connection = connections.get(this);
    if (connection === undefined) return;
    connection.alive = true;
    try {
      connection.session?.receive(isBinary ? null : Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(toBuffers(data)).toString('utf8'));
    } catch (err) {
      // The core never throws on bad input; this is a bug. Keep the relay (and other connections) alive.
      log.error({ err }, 'unexpected error while handling a frame');
    }
  }
  function onPong(this: WebSocket): void {
    const connection = connections.get(this);
    if (connection !== undefined) connection.alive = true;
  }
  function onError(err: Error): void {
    log.debug({ err: err.message }, 'websocket error');
  }
  function onClose(this: WebSocket): void {
    const connection = connections.get(this);
    connections.delete(this);
    connection?.session?.closedByTransport();
  }

  const heartbeat = setInterval(() => {
    for (const [ws, connection] of connections) {
      if (!connection.alive) {
        ws.terminate();
        continue;
      }
      connection.alive = false;
      try { ws.ping(); } catch { /* closing */ }
    }
  }, core.limits.heartbeat_ms);
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => log.error({ err }, 'http server error'));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : o.port;

  return {
    port,
    close: async () => {
      clearInterval(heartbeat);
      core.shutdown();
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** `error` listener of an upgrading socket (module level: no per-connection closure). */
function destroySocket(this: Duplex): void {
  this.destroy();
}

function toBuffers(data: Buffer | ArrayBuffer | Buffer[]): Buffer[] {
  if (Array.isArray(data)) return data;
  return [Buffer.from(data as ArrayBuffer)];
}
