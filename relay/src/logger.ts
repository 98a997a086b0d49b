/**
 * Relay logging with pino: human-readable (pino-pretty) when stdout is a terminal, JSON lines otherwise.
 * Hot-path events (per envelope) are logged at `debug` only, never at `info`.
 */
import { pino, type Logger } from 'pino';
import PinoPretty from 'pino-pretty';

export type { Logger };

/**
 * Creates the relay logger.
 * @param level - pino level ('fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent').
 * @default 'info'
 */
export function createLogger(level = 'info'): Logger {
  const options = { level, base: { name: 'baton-relay' } };
  if (level !== 'silent' && process.stdout.isTTY === true) {
    return pino(options, PinoPretty({ colorize: true, ignore: 'pid,hostname,name' }));
  }
  return pino(options);
}
