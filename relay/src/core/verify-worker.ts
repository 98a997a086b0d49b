/**
 * Worker-thread entry of the verify pool (verify-pool.ts): receives batches of Ed25519 verification jobs packed
 * in one ArrayBuffer and answers each batch with one byte per job (1 = valid), handing the batch buffer back. Verification is the strict
 * SPEC SIG-3 check of `@baton/spec`'s default Ed25519 backend, the same one the event loop uses (libsodium where
 * installed; `BATON_ED25519` applies in this thread too).
 *
 * Batch layout (little-endian): u32 job count, then per job: 32-byte public key, 64-byte signature, u32
 * message length, message bytes.
 */
import { parentPort } from 'node:worker_threads';
import { getDefaultBackend } from '@baton/spec/ed25519';

const backend = getDefaultBackend();
if (parentPort === null) throw new Error('verify-worker.ts runs as a Node worker thread');
const port = parentPort;

port.on('message', (buffer: ArrayBuffer) => {
  const view = new DataView(buffer);
  const bytes = new Uint8Array(buffer);
  const count = view.getUint32(0, true);
  const verdicts = new Uint8Array(count);
  let at = 4;
  for (let i = 0; i < count; i++) {
    const publicKey = bytes.subarray(at, at + 32);
    const signature = bytes.subarray(at + 32, at + 96);
    const length = view.getUint32(at + 96, true);
    const message = bytes.subarray(at + 100, at + 100 + length);
    at += 100 + length;
    verdicts[i] = backend.verify(publicKey, message, signature) ? 1 : 0;
  }
  // The batch goes back too: an ArrayBuffer is freed by the garbage collector of the heap that holds it, and this
  // thread allocates too little to collect often, so kept here the batches would pile up as external memory.
  port.postMessage({ verdicts, buffer }, [verdicts.buffer, buffer]);
});
