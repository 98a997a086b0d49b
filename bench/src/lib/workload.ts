/**
 * Pre-signed workloads (signed BEFORE any timed phase, so that load generators are not the bottleneck):
 * `message` envelopes from a sender agent to a receiver agent, wrapped as `send` frames, and the receiver's
 * receipts for each of them (SPEC TYP-4), wrapped as `send` frames too. Written to a JSON file the bench
 * processes load.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createEnvelope, decodeKeyFile, encodeKeyFile, envelopeDigest, generateKeyPair, type KeyPair } from '@baton/spec';

/** Payload size of each message body's `text`, in bytes (ASCII). */
export const PAYLOAD_BYTES = 256;

/** A workload file's content. */
export interface Workload {
  /** Key files (`encodeKeyFile`) of the two agents. */
  sender: string;
  receiver: string;
  /** `{"op":"send","env":<message>}` frames, in send order. */
  frames: string[];
  /** Receipt `send` frame per message id. */
  receipts: Record<string, string>;
}

/** Signs `count` messages and their receipts; returns the workload. */
export function buildWorkload(count: number): Workload {
  const sender = generateKeyPair();
  const receiver = generateKeyPair();
  const text = 'x'.repeat(PAYLOAD_BYTES);
  const frames: string[] = [];
  const receipts: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    const env = createEnvelope(sender, { type: 'message', to: receiver.did, body: { seq: i, text } });
    frames.push(JSON.stringify({ op: 'send', env }));
    const receipt = createEnvelope(receiver, {
      type: 'receipt', to: sender.did, parent: env.id, body: { for: env.id, digest: envelopeDigest(env) },
    });
    receipts[env.id] = JSON.stringify({ op: 'send', env: receipt });
  }
  return { sender: encodeKeyFile(sender), receiver: encodeKeyFile(receiver), frames, receipts };
}

/** Writes `workload` to `path`. */
export function writeWorkload(path: string, workload: Workload): void {
  writeFileSync(path, JSON.stringify(workload));
}

/** Reads a workload file and decodes its keys. */
export function readWorkload(path: string): Workload & { senderKey: KeyPair; receiverKey: KeyPair } {
  const w = JSON.parse(readFileSync(path, 'utf8')) as Workload;
  return { ...w, senderKey: decodeKeyFile(w.sender), receiverKey: decodeKeyFile(w.receiver) };
}
