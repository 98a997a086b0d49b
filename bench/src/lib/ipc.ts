/**
 * Child side of the benchmark process model: report to the parent and wait for its commands.
 */
import type { IpcMessage } from './child.ts';

/** Sends `message` to the parent process. */
export function toParent(message: IpcMessage): void {
  process.send?.(message);
}

/** Resolves with the next parent message of `type`. */
export function fromParent(type: string): Promise<IpcMessage> {
  return new Promise((resolve) => {
    const onMessage = (raw: unknown): void => {
      const msg = raw as IpcMessage;
      if (msg.type !== type) return;
      process.off('message', onMessage);
      resolve(msg);
    };
    process.on('message', onMessage);
  });
}

/** Exits on SIGTERM or when the parent goes away, and reports fatal errors to stderr. */
export function exitWithParent(): void {
  process.on('SIGTERM', () => process.exit(0));
  process.on('disconnect', () => process.exit(0));
}
