/**
 * In-order completion: work that finishes out of order (signature verdicts from several worker threads)
 * continues in the order it started, so the relay handles every connection's envelopes in arrival order
 * (the duplicate, task and routing checks of SPEC RTE-1 see them as if verified inline).
 */

interface Entry<T> {
  readonly run: (value: T) => void;
  ready: boolean;
  value?: T;
}

/** A FIFO of continuations, each run once it and everything opened before it have their value. */
export class InOrder<T> {
  #entries: Entry<T>[] = [];
  #head = 0;
  #draining = false;

  /**
   * Opens a slot for `run` behind every slot opened before; returns the function that gives the slot its value.
   * A slot given a value twice keeps the first.
   */
  open(run: (value: T) => void): (value: T) => void {
    const entry: Entry<T> = { run, ready: false };
    this.#entries.push(entry);
    return (value: T) => {
      if (entry.ready) return;
      entry.ready = true;
      entry.value = value;
      this.#drain();
    };
  }

  /** Slots opened and not yet run. */
  get pending(): number {
    return this.#entries.length - this.#head;
  }

  /** Drops every waiting slot without running it (shutdown). */
  clear(): void {
    this.#entries = [];
    this.#head = 0;
  }

  #drain(): void {
    if (this.#draining) return; // a continuation that completes another slot: the outer loop picks it up
    this.#draining = true;
    try {
      for (let entry = this.#entries[this.#head]; entry?.ready === true; entry = this.#entries[this.#head]) {
        this.#head++;
        entry.run(entry.value as T);
      }
    } finally {
      this.#draining = false;
      if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
        this.#entries = this.#entries.slice(this.#head);
        this.#head = 0;
      }
    }
  }
}
