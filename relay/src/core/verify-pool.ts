/**
 * Signature verification off the event loop: a pool of worker threads running the strict SPEC SIG-3 check, so
 * that Ed25519 verification (the relay's largest per-envelope cost) runs beside the event loop instead of on
 * it, and the relay uses more than one core.
 *
 * Jobs submitted in one event-loop turn are packed into transferred buffers of at most MAX_BATCH_JOBS jobs
 * each (verify-worker.ts), spread over the workers, so that verdicts come back while later jobs are verified.
 * A job submitted while the pool has nothing queued or in flight, and only the first such job in a turn, is
 * verified inline: a lone envelope (light load) pays no thread hop, a burst goes to the workers. A job
 * submitted while the workers already hold MAX_IN_FLIGHT_PER_THREAD jobs or MAX_IN_FLIGHT_BYTES_PER_THREAD
 * bytes each is verified inline too (back-pressure: the backlog of unverified envelopes in memory stays
 * bounded). Workers start on first use. A worker that fails has its outstanding jobs verified inline, in
 * order, and is replaced on the next batch. Verdicts come back in submission order per worker, not globally:
 * callers that need order use in-order.ts.
 */
import { Worker } from 'node:worker_threads';
import { getDefaultBackend } from '@baton/spec';

/** Receives the verdict of one job: true when the signature is valid under SIG-3. */
export type VerifyDone = (valid: boolean) => void;

interface Job {
  readonly publicKey: Uint8Array;
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
  readonly done: VerifyDone;
}

interface Slot {
  readonly worker: Worker;
  /** Batches posted and not yet answered, oldest first. */
  readonly batches: Job[][];
  outstanding: number;
  failed: boolean;
}

const WORKER_URL = new URL('./verify-worker.ts', import.meta.url);

/**
 * Jobs queued or in flight per worker beyond which new jobs are verified inline. This is the pool's
 * back-pressure: a sender faster than the workers makes the event loop verify too, which slows reading from
 * the sockets, instead of making the relay hold an unbounded backlog of parsed, unverified envelopes.
 *
 * A job counts as in flight until its verdict has been handled on the event loop, so a busy event loop that
 * has not yet read the answers of a worker counts them too. The bound is therefore set well above what
 * senders' own windows put in flight: at 256 (before bench round 7), a routed load of 512 unacknowledged
 * envelopes per sender kept the pool "full" of answered jobs, 72% of the signatures were verified on the
 * event loop while the worker sat idle 74% of the time. Raised, every one of six alternating pairs of routed
 * runs was faster (+3% to +32%; medians 3,409 -> 3,883 messages/s, bench/HISTORY.md round 7).
 */
export const MAX_IN_FLIGHT_PER_THREAD = 4096;

/**
 * Bytes of signing input (plus 100 per job: key, signature, length) in flight per worker beyond which new jobs are
 * verified inline: the same back-pressure as MAX_IN_FLIGHT_PER_THREAD, for large envelopes (4 MiB is 64
 * envelopes at `max_envelope_bytes`, about 6,000 of a typical 0.6 KB).
 */
export const MAX_IN_FLIGHT_BYTES_PER_THREAD = 4 * 1024 * 1024;

/**
 * Most jobs in one batch posted to a worker. A worker answers a batch as a whole, so one batch of a whole
 * turn's jobs (hundreds under load) made the event loop wait for all of them and then left the worker idle
 * while the event loop committed and answered them: the two took turns instead of running together. In routed
 * runs (one verify thread, 512 messages in flight) the relay's two threads were each off the CPU about a third
 * of the time and the machine 18-29% idle; with batches of at most 8 to 128 jobs (measured alike there) the
 * machine was 4-8% idle and the relay accepted 4,700-4,950 messages/s against 3,600-4,500. With 32 messages in
 * flight (the work-queue comparison) batches of 8 to 32 did better than 64 (4,035-4,204 against 3,455-3,683
 * messages/s; machine idle 13-20% against 26-28%); the event loop spends ~7 µs more per message (two jobs) at 16
 * than at 64 (bench/HISTORY.md round 13).
 */
export const MAX_BATCH_JOBS = 16;

/** Bytes a job occupies in a batch buffer (see pack). */
const jobBytes = (j: { message: Uint8Array }): number => 100 + j.message.length;

/** Packs jobs as verify-worker.ts reads them. */
function pack(jobs: readonly Job[]): ArrayBuffer {
  let size = 4;
  for (const j of jobs) size += jobBytes(j);
  const buffer = new ArrayBuffer(size);
  const view = new DataView(buffer);
  const bytes = new Uint8Array(buffer);
  view.setUint32(0, jobs.length, true);
  let at = 4;
  for (const j of jobs) {
    // a key or signature of the wrong length cannot verify: zero bytes are sent and the verdict forced false
    if (j.publicKey.length === 32) bytes.set(j.publicKey, at);
    if (j.signature.length === 64) bytes.set(j.signature, at + 32);
    view.setUint32(at + 96, j.message.length, true);
    bytes.set(j.message, at + 100);
    at += 100 + j.message.length;
  }
  return buffer;
}

const wellFormed = (j: Job): boolean => j.publicKey.length === 32 && j.signature.length === 64;

/** Strict Ed25519 verification on `threads` worker threads (0 = always inline). */
export class VerifyPool {
  readonly #threads: number;
  readonly #onError: (err: unknown) => void;
  readonly #slots: Slot[] = [];
  #queued: Job[] = [];
  #inFlight = 0;
  #inFlightBytes = 0;
  #inlineThisTurn = false;
  #scheduled = false;
  #closed = false;

  /**
   * @param threads - worker threads; 0 verifies every job inline on the calling thread.
   * @param onError - told about a worker that failed (its jobs are still answered, inline).
   */
  constructor(threads: number, onError: (err: unknown) => void = () => {}) {
    if (!Number.isSafeInteger(threads) || threads < 0) throw new RangeError(`verify threads must be an integer >= 0, got ${String(threads)}`);
    this.#threads = threads;
    this.#onError = onError;
  }

  /** Worker threads configured (not necessarily started). */
  get threads(): number {
    return this.#threads;
  }

  /** Worker threads running now (they start on the first batch). */
  get running(): number {
    return this.#slots.length;
  }

  /**
   * Verifies `signature` (64 bytes) over `message` with `publicKey` (32 bytes) under SPEC SIG-3 and calls
   * `done` with the verdict: synchronously when verified inline, later otherwise. After {@link close},
   * jobs still run inline. Never throws.
   */
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array, done: VerifyDone): void {
    const job: Job = { publicKey, message, signature, done };
    const idle = !this.#inlineThisTurn && this.#inFlight === 0;
    const full = this.#inFlight >= MAX_IN_FLIGHT_PER_THREAD * this.#threads
      || this.#inFlightBytes >= MAX_IN_FLIGHT_BYTES_PER_THREAD * this.#threads;
    if (this.#threads === 0 || this.#closed || idle || full) {
      this.#inlineThisTurn = true;
      this.#schedule();
      this.#inline(job);
      return;
    }
    this.#queued.push(job);
    this.#inFlight++;
    this.#inFlightBytes += jobBytes(job);
    this.#schedule();
  }

  /** Terminates the workers; jobs they hold are dropped (their `done` is never called). */
  async close(): Promise<void> {
    this.#closed = true;
    const slots = this.#slots.splice(0);
    this.#queued = [];
    this.#inFlight = 0;
    this.#inFlightBytes = 0;
    await Promise.all(slots.map((s) => { s.failed = true; return s.worker.terminate(); }));
  }

  /** A batch's jobs leave the in-flight counts (answered, or handed back inline by a failed worker). */
  #release(batch: readonly Job[]): void {
    this.#inFlight -= batch.length;
    for (const job of batch) this.#inFlightBytes -= jobBytes(job);
  }

  #inline(job: Job): void {
    let valid = false;
    try {
      valid = getDefaultBackend().verify(job.publicKey, job.message, job.signature);
    } catch {
      valid = false;
    }
    job.done(valid);
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#inlineThisTurn = false;
      this.#flush();
    });
  }

  #flush(): void {
    const jobs = this.#queued;
    if (jobs.length === 0 || this.#closed) return;
    this.#queued = [];
    while (this.#slots.length < this.#threads) this.#slots.push(this.#spawn());
    const share = Math.min(MAX_BATCH_JOBS, Math.ceil(jobs.length / this.#slots.length));
    // fill the least loaded workers first
    const slots = [...this.#slots].sort((a, b) => a.outstanding - b.outstanding);
    for (let i = 0, s = 0; i < jobs.length; i += share, s++) {
      const slot = slots[s % slots.length];
      if (slot === undefined) break;
      const batch = jobs.slice(i, i + share);
      slot.batches.push(batch);
      slot.outstanding += batch.length;
      const buffer = pack(batch);
      slot.worker.postMessage(buffer, [buffer]);
    }
  }

  #spawn(): Slot {
    const worker = new Worker(WORKER_URL);
    worker.unref();
    const slot: Slot = { worker, batches: [], outstanding: 0, failed: false };
    worker.on('message', ({ verdicts }: { verdicts: Uint8Array; buffer: ArrayBuffer }) => {
      const batch = slot.batches.shift();
      if (batch === undefined || slot.failed) return;
      slot.outstanding -= batch.length;
      this.#release(batch);
      for (const [i, job] of batch.entries()) job.done(verdicts[i] === 1 && wellFormed(job));
    });
    const fail = (err: unknown): void => {
      if (slot.failed) return;
      slot.failed = true;
      const index = this.#slots.indexOf(slot);
      if (index >= 0) this.#slots.splice(index, 1);
      this.#onError(err);
      for (const batch of slot.batches.splice(0)) {
        this.#release(batch);
        for (const job of batch) this.#inline(job);
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`verify worker exited with code ${code}`)));
    return slot;
  }
}
