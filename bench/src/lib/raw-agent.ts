/**
 * A minimal Baton agent over a raw `ws` socket for load generation: runs the handshake (SPEC CON-2..CON-5)
 * and then hands every frame text to the caller, with no per-frame client overhead.
 */
import WebSocket from 'ws';
import { signAuth, type HelloFrame, type KeyPair } from '@baton/spec';

/** Connects `key` to the relay at `url`; resolves with the socket once `welcome` arrived. */
export function connectRaw(url: string, key: KeyPair): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('error', reject);
    const onMessage = (data: WebSocket.RawData): void => {
      const frame = JSON.parse(String(data)) as { op: string; code?: string; message?: string };
      if (frame.op === 'hello') {
        ws.send(JSON.stringify(signAuth(key, frame as HelloFrame)));
      } else if (frame.op === 'welcome') {
        ws.off('message', onMessage);
        ws.off('error', reject);
        resolve(ws);
      } else {
        reject(new Error(`handshake failed: ${frame.op} ${frame.code ?? ''} ${frame.message ?? ''}`));
      }
    };
    ws.on('message', onMessage);
  });
}

/** Sends `frame` and, when the socket buffers more than `highWaterBytes`, waits until it drained. */
export async function sendWithBackpressure(ws: WebSocket, frame: string, highWaterBytes = 4 * 1024 * 1024): Promise<void> {
  ws.send(frame);
  while (ws.bufferedAmount > highWaterBytes) await new Promise((r) => setTimeout(r, 1));
}
