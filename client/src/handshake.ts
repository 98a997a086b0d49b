/**
 * The agent side of the Baton handshake (SPEC CON-2..CON-5): wait for `hello`, check that it offers
 * protocol version 1, answer with a signed `auth`, wait for `welcome`.
 */
import { BatonError, PROTOCOL_VERSION, signAuth } from '@baton/spec';
import type { Frame, HelloFrame, KeyPair, WelcomeFrame } from '@baton/spec';
import type { CloseInfo, FrameSocket } from './transport.ts';

/** What a completed handshake established. */
export interface HandshakeResult {
  hello: HelloFrame;
  welcome: WelcomeFrame;
}

/** Turns a close before the handshake finished into the error to throw. */
export function closeError(info: CloseInfo, during: string): BatonError {
  if (info.errorCode !== undefined) {
    return new BatonError(info.errorCode, `the relay closed the connection ${during} (${info.code} ${info.reason})`);
  }
  return new BatonError('CONNECTION_CLOSED', `the connection closed ${during} (close code ${info.code})`, {
    details: { code: info.code, reason: info.reason },
  });
}

/**
 * Runs the handshake on an opening socket.
 * @param timeoutMs total time allowed for `hello` and `welcome`, in ms.
 * @throws BatonError with the relay's code from its `error` frame (`AUTH_FAILED`, `NOT_ADMITTED`,
 *   `CLOCK_SKEW`, ...), `UNSUPPORTED_VERSION` when `hello` does not offer version 1, `TIMEOUT` when the
 *   relay is too slow, `CONNECTION_CLOSED` when the socket closes first.
 */
export function performHandshake(socket: FrameSocket, key: KeyPair, timeoutMs: number): Promise<HandshakeResult> {
  return new Promise<HandshakeResult>((resolve, reject) => {
    let hello: HelloFrame | undefined;
    let settled = false;
    let offFrame: () => void = () => {};
    let offClose: () => void = () => {};
    const finish = (error: BatonError | undefined, result?: HandshakeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      offFrame();
      offClose();
      if (error !== undefined) {
        socket.close(1000, '');
        reject(error);
      } else if (result !== undefined) {
        resolve(result);
      }
    };
    const timer = setTimeout(() => {
      finish(new BatonError('TIMEOUT', `no ${hello === undefined ? 'hello' : 'welcome'} from the relay within ${timeoutMs} ms`));
    }, timeoutMs);
    offClose = socket.onClose((info) => finish(closeError(info, 'during the handshake')));
    offFrame = socket.onFrame((frame: Frame) => {
      if (frame.op === 'error') {
        finish(new BatonError(frame.code, `relay refused the connection: ${frame.message}`, { details: frame }));
      } else if (frame.op === 'hello' && hello === undefined) {
        if (!frame.versions.includes(PROTOCOL_VERSION)) {
          finish(new BatonError('UNSUPPORTED_VERSION', `relay speaks versions [${frame.versions.join(', ')}], this client speaks ${PROTOCOL_VERSION}`));
          return;
        }
        hello = frame;
        try {
          socket.send(signAuth(key, frame));
        } catch (error) {
          finish(error instanceof BatonError ? error : new BatonError('CONNECTION_CLOSED', 'could not send auth', { cause: error }));
        }
      } else if (frame.op === 'welcome' && hello !== undefined) {
        if (frame.agent !== key.did || frame.relay !== hello.relay) {
          finish(new BatonError('AUTH_FAILED', 'welcome names another agent or relay than the handshake'));
          return;
        }
        finish(undefined, { hello, welcome: frame });
      }
      // Any other frame before welcome is ignored (VER-2 spirit: be liberal in what arrives).
    });
  });
}
