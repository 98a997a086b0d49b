/**
 * The machine description written with every result: CPUs, model, Node version, memory, and how the
 * benchmark processes share the cores.
 */
import { cpus, totalmem, platform, release, availableParallelism, loadavg } from 'node:os';

/** Machine and process-placement description (memory in bytes). */
export interface MachineInfo {
  cpus: number;
  available_parallelism: number;
  model: string;
  node: string;
  platform: string;
  total_mem_bytes: number;
  placement: string;
  /** 1-minute load average when the run started: other work on the machine skews every figure. */
  load_avg_1m_at_start: number;
}

/** Describes this machine. */
export function describeMachine(): MachineInfo {
  const list = cpus();
  return {
    cpus: list.length,
    available_parallelism: availableParallelism(),
    model: list[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${platform()} ${release()}`,
    total_mem_bytes: totalmem(),
    placement:
      'every role is its own single-threaded Node process, not pinned: the relay (or the bare ws forwarder/server, ' +
      'the A2A agent, nats-server), each load generator (routed sender and receiver; 2 idle-agent generators; one ' +
      'handshake generator; one discovery client; the @baton/client requester and provider; the A2A driver; the ' +
      `NATS producer and worker) and the bench's own process. They share the machine's ${availableParallelism()} ` +
      'cores, so a server has at most 1 core and competes with its load generators',
    load_avg_1m_at_start: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}
