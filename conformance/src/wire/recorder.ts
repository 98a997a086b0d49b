// Wire log of one conformance case: every frame sent or received, with direction, connection label and time.

/** One recorded wire event. `t_ms` is milliseconds since the case started. */
export interface WireEvent {
  /** 'out' = suite to implementation, 'in' = implementation to suite, 'close' / 'open' = connection events. */
  dir: 'out' | 'in' | 'open' | 'close';
  /** Connection label chosen by the case (e.g. 'alice', 'hostile'). */
  conn: string;
  t_ms: number;
  /** Frame text (truncated to 2,000 characters), or a close description. */
  data: string;
}

const MAX_TEXT = 2_000;

/** Collects {@link WireEvent}s for one case. */
export class WireRecorder {
  readonly events: WireEvent[] = [];
  readonly #start: number;

  constructor(start: number = Date.now()) {
    this.#start = start;
  }

  /** Records one event; long texts are cut to 2,000 characters with the original length noted. */
  record(dir: WireEvent['dir'], conn: string, data: string): void {
    const text = data.length > MAX_TEXT ? `${data.slice(0, MAX_TEXT)}... (${data.length} chars)` : data;
    this.events.push({ dir, conn, t_ms: Date.now() - this.#start, data: text });
  }
}
