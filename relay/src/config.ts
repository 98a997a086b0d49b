/**
 * Relay options from command-line arguments and environment variables, for `baton relay`.
 *
 * Flags (environment fallback): `--port N` (BATON_PORT), `--host H` (BATON_HOST), `--data DIR` (BATON_DATA),
 * `--admission open|allowlist` (BATON_ADMISSION), `--allow did,did`, `--allowlist FILE` (one did per line,
 * `#` comments), `--durability fsync|normal` (BATON_DURABILITY), `--log-level L` (BATON_LOG_LEVEL), and one
 * flag per limit of SPEC LIM-1, e.g. `--max-frame-bytes N` (BATON_MAX_FRAME_BYTES; the `ws` maxPayload).
 * Defaults: port 8787, host 127.0.0.1, data `.baton`.
 */
import { readFileSync } from 'node:fs';
import { DEFAULT_LIMITS, isValidDid, type Limits } from '@baton/spec';
import type { RelayOptions } from './index.ts';

/** A bad command line; the CLI prints the message and exits with status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** `--max-frame-bytes` for `max_frame_bytes`, and so on for every limit. */
const LIMIT_FLAGS = new Map((Object.keys(DEFAULT_LIMITS) as (keyof Limits)[]).map((name) => [`--${name.replaceAll('_', '-')}`, name]));

const FLAGS = new Set(['--port', '--host', '--data', '--admission', '--allow', '--allowlist', '--durability', '--log-level', ...LIMIT_FLAGS.keys()]);

/** Usage text of `baton relay`. */
export const RELAY_USAGE = `baton relay [--port N] [--host H] [--data DIR] [--admission open|allowlist]
            [--allow did,did] [--allowlist FILE] [--durability fsync|normal] [--log-level LEVEL]
            [--max-frame-bytes N] [--max-envelope-bytes N] [--max-clock-skew-ms N] [--dedupe-window-ms N]
            [--handshake-timeout-ms N] [--heartbeat-ms N] [--max-manifests N]`;

function readFlags(args: readonly string[]): Map<string, string[]> {
  const flags = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (!FLAGS.has(name)) throw new UsageError(`unknown argument ${arg}\nusage: ${RELAY_USAGE}`);
    let value: string | undefined;
    if (eq > 0) value = arg.slice(eq + 1);
    else value = args[++i];
    if (value === undefined) throw new UsageError(`${name} needs a value`);
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return flags;
}

function parseDids(values: readonly string[], source: string): string[] {
  const dids = values.map((v) => v.trim()).filter((v) => v !== '' && !v.startsWith('#'));
  for (const did of dids) if (!isValidDid(did)) throw new UsageError(`${source}: ${did} is not a valid did:key`);
  return dids;
}

/**
 * Builds relay options from `args` (after the `relay` command word) and `env`.
 * @throws UsageError on unknown flags or bad values.
 */
export function parseRelayArgs(args: readonly string[], env: NodeJS.ProcessEnv = process.env): RelayOptions {
  const flags = readFlags(args);
  const last = (flag: string, envName?: string): string | undefined =>
    flags.get(flag)?.at(-1) ?? (envName === undefined ? undefined : env[envName]);
  const options: RelayOptions = {};

  const port = last('--port', 'BATON_PORT');
  if (port !== undefined) {
    if (!/^[0-9]{1,5}$/.test(port) || Number(port) > 65535) throw new UsageError(`--port must be 0..65535, got ${port}`);
    options.port = Number(port);
  }
  const host = last('--host', 'BATON_HOST');
  if (host !== undefined) options.host = host;
  const data = last('--data', 'BATON_DATA');
  if (data !== undefined) options.dataDir = data;
  const admission = last('--admission', 'BATON_ADMISSION');
  if (admission !== undefined) {
    if (admission !== 'open' && admission !== 'allowlist') throw new UsageError('--admission must be open or allowlist');
    options.admission = admission;
  }
  const allow: string[] = [];
  for (const v of flags.get('--allow') ?? []) allow.push(...parseDids(v.split(','), '--allow'));
  for (const file of flags.get('--allowlist') ?? []) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(`--allowlist: cannot read ${file}: ${(err as Error).message}`);
    }
    allow.push(...parseDids(text.split(/\r?\n/), file));
  }
  if (allow.length > 0) {
    options.allowlist = allow;
    options.admission ??= 'allowlist';
  }
  const durability = last('--durability', 'BATON_DURABILITY');
  if (durability !== undefined) {
    if (durability !== 'fsync' && durability !== 'normal') throw new UsageError('--durability must be fsync or normal');
    options.durability = durability;
  }
  const level = last('--log-level', 'BATON_LOG_LEVEL');
  if (level !== undefined) options.logLevel = level;
  const limits: Partial<Limits> = {};
  for (const [flag, name] of LIMIT_FLAGS) {
    const value = last(flag, `BATON_${name.toUpperCase()}`);
    if (value === undefined) continue;
    if (!/^[0-9]{1,15}$/.test(value) || Number(value) < 1) throw new UsageError(`${flag} must be a positive integer, got ${value}`);
    limits[name] = Number(value);
  }
  if (Object.keys(limits).length > 0) options.limits = limits;
  return options;
}
