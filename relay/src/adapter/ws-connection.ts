/**
 * One upgraded WebSocket as the core's {@link RelaySocket}: frames sent to it in the same tick are corked into
 * one writev (a group commit's `accepted`s and `deliver`s leave in one system call), every write reports to
 * the core's drain callback (FLW-2), and the heartbeat flag lives here (CON-8).
 *
 * A class rather than an object literal of closures: an idle agent's connection is one small object, not a
 * handful of closures, their scopes and an object with an accessor (which V8 keeps in dictionary mode).
 */
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { Session } from '../core/session.ts';
import type { RelaySocket } from '../core/types.ts';

function uncork(c: WsConnection): void {
  c.uncork();
}

/** The adapter's side of one connection. */
export class WsConnection implements RelaySocket {
  readonly ws: WebSocket;
  readonly #raw: Duplex;
  readonly remoteAddress: string;
  /** The core's session; set right after the connection opened. */
  session: Session | undefined;
  /** CON-8: a pong or a message arrived since the last ping. */
  alive = true;
  #corked = false;
  #written: (() => void) | undefined;

  constructor(ws: WebSocket, raw: Duplex, remoteAddress: string) {
    this.ws = ws;
    this.#raw = raw;
    this.remoteAddress = remoteAddress;
  }

  send(text: string): void {
    if (!this.#corked) {
      this.#corked = true;
      this.#raw.cork();
      process.nextTick(uncork, this);
    }
    this.ws.send(text, this.#written);
  }

  /** Ends this tick's cork (see {@link send}). */
  uncork(): void {
    this.#corked = false;
    this.#raw.uncork();
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  onDrain(fn: () => void): void {
    this.#written = fn;
  }
}
