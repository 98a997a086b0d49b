// Reading the adapter's frames as the cases see them: the envelope a `send` frame carries, and whether a
// frame answers a given envelope (receipt, result, reject or working).
import type { Envelope } from '@baton/spec';
import type { ReceivedFrame } from '../wire/frame-queue.ts';

/** The envelope inside a `send` frame, when the frame is one. */
export function sent(f: ReceivedFrame): Envelope | undefined {
  return f.op === 'send' && typeof f.env === 'object' && f.env !== null ? (f.env as Envelope) : undefined;
}

/** True when `f` is the adapter's answer to envelope `id`: a receipt, a result, or a reject/working frame. */
export function answers(f: ReceivedFrame, id: string): boolean {
  const env = sent(f);
  if (env) return (env.body as { for?: unknown }).for === id || env.parent === id;
  return (f.op === 'reject' || f.op === 'working') && f.id === id;
}
