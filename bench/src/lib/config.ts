/**
 * Benchmark sizes per mode. Quick mode uses the same code with smaller sizes (under two minutes on the 2-core
 * machine without peers); full mode is budgeted at under ten minutes, peers (`--peers`) included: about 3-4.5
 * minutes without them and 5-6 minutes for them on this machine's normal days, under ten minutes in all on its
 * slow days (round 7's full runs with peers took 10-12 minutes; round 8 shortened the sequential peer runs and
 * the memory run and dropped the work queue's fsync run). Quick peers add about 2 minutes.
 */

/** Every size the bench uses. Durations in ms. */
export interface BenchConfig {
  /** Throughput runs (bare and routed, interleaved); each figure is the median. */
  runs: number;
  /** Pre-signed messages per throughput run. */
  messages: number;
  /** Unacknowledged sends the routed sender keeps in flight. */
  window: number;
  /** Bare sequential round trips. */
  rtts: number;
  /**
   * Offered loads of the client latency figures, requests/s, each for `ms`; the first is also run with
   * durability normal. The targets apply at 1,000/s.
   */
  loads: readonly { rate: number; ms: number }[];
  /** Time per crypto micro-figure. */
  cryptoMs: number;
  scale: ScaleConfig;
  peers: PeersConfig;
}

/** Sizes of the scale section. */
export interface ScaleConfig {
  /** Idle agents (and bare connections), split over two generator processes. */
  agents: number;
  /** Sequential discover queries, half by capability and half by tag. */
  queries: number;
  /** Interleaved bare/relay handshake-rate runs, each `handshakeMs` long with `handshakeConcurrency` workers. */
  handshakeRuns: number;
  handshakeMs: number;
  handshakeConcurrency: number;
}

/** Sizes of the peers section. */
export interface PeersConfig {
  /** Runs per peer figure (median), each `runMs` long; the runs at 1 in flight are `sequentialRunMs` long. */
  runs: number;
  runMs: number;
  /**
   * Length of a run at 1 in flight (no target there; its latencies settle within seconds, and the sequential
   * A2A/Baton pairs took 71 s of round 7's full run at 10 s each).
   */
  sequentialRunMs: number;
  /** In-flight levels of the request round-trip comparison. */
  concurrency: readonly number[];
  /** Completed request round trips after which relay RSS is read (the flat-memory figure). */
  rssCheckpoints: readonly [number, number];
  /** Pre-signed messages available to a routed run of the JetStream comparison (a run also stops after runMs). */
  routedMessages: number;
  /** In flight for the JetStream comparison (unacknowledged publishes / sends). */
  queueWindow: number;
}

/** The sizes of `--quick` (true) or full mode. */
export function benchConfig(quick: boolean): BenchConfig {
  return quick
    ? {
      // two rounds, not three: each routed run is mostly process start-up, and three rounds took 126 s of the
      // two-minute budget on a slow day (a median of two is their mean)
      runs: 2, messages: 4_000, window: 512, rtts: 1_000, loads: [{ rate: 200, ms: 4_000 }, { rate: 1_000, ms: 2_000 }], cryptoMs: 300,
      scale: { agents: 2_000, queries: 600, handshakeRuns: 2, handshakeMs: 1_000, handshakeConcurrency: 32 },
      peers: { runs: 3, runMs: 3_000, sequentialRunMs: 3_000, concurrency: [1, 32], rssCheckpoints: [500, 5_000], routedMessages: 4_000, queueWindow: 32 },
    }
    : {
      runs: 3, messages: 15_000, window: 512, rtts: 5_000, loads: [{ rate: 200, ms: 5_000 }, { rate: 1_000, ms: 10_000 }, { rate: 5_000, ms: 2_000 }], cryptoMs: 1_000,
      scale: { agents: 10_000, queries: 3_000, handshakeRuns: 3, handshakeMs: 3_000, handshakeConcurrency: 32 },
      peers: { runs: 3, runMs: 10_000, sequentialRunMs: 5_000, concurrency: [1, 32], rssCheckpoints: [4_000, 40_000], routedMessages: 25_000, queueWindow: 32 },
    };
}
