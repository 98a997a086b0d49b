/**
 * Relay configuration: options from command-line arguments and environment variables for `baton relay`,
 * and the startup checks of limits and relay-only settings that {@link startRelay} also applies.
 *
 * Flags (environment fallback): `--port N` (BATON_PORT), `--host H` (BATON_HOST), `--data DIR` (BATON_DATA),
 * `--admission open|allowlist` (BATON_ADMISSION), `--allow did,did`, `--allowlist FILE` (one did per line,
 * `#` comments), `--durability fsync|normal` (BATON_DURABILITY), `--log-level L` (BATON_LOG_LEVEL),
 * `--operator-token T` (BATON_OPERATOR_TOKEN; operator access to `/v1/dlq`, HTA-3; never logged),
 * `--delivery-high-water-bytes N` (BATON_DELIVERY_HIGH_WATER_BYTES; FLW-2), `--verify-threads N`
 * (BATON_VERIFY_THREADS; worker threads verifying signatures, 0 = on the event loop), and one flag per limit of SPEC
 * LIM-1, e.g. `--max-frame-bytes N` (BATON_MAX_FRAME_BYTES; the `ws` maxPayload) or `--ack-timeout-ms N`.
 * Defaults: port 8787, host 127.0.0.1, data `.baton`.
 */
import { readFileSync } from 'node:fs';
import { DEFAULT_LIMITS, MAX_REGISTRATION_COST, isValidDid, type Limits } from '@baton/spec';
import type { RelayOptions } from './index.ts';

/** A bad command line; the CLI prints the message and exits with status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const LIMIT_NAMES = Object.keys(DEFAULT_LIMITS) as (keyof Limits)[];

/** `--max-frame-bytes` for `max_frame_bytes`, and so on for every limit. */
const LIMIT_FLAGS = new Map(LIMIT_NAMES.map((name) => [`--${name.replaceAll('_', '-')}`, name]));

/** Limits that may be 0: a zero backoff retries at once (DLV-4). Every other limit is at least 1. */
const ZERO_ALLOWED: ReadonlySet<keyof Limits> = new Set(['redelivery_backoff_ms', 'redelivery_backoff_max_ms']);

/** Compile budgets must hold what one registration may cost, or a registration MAN-7 allows could never pass. */
const AT_LEAST_ONE_REGISTRATION: ReadonlySet<keyof Limits> = new Set(['compile_burst_per_ip', 'compile_burst_relay']);

/** Shortest accepted operator token: it guards every DLQ entry, so it must not be guessable. */
export const MIN_OPERATOR_TOKEN_LENGTH = 16;

const OPTION_FLAGS = ['--port', '--host', '--data', '--admission', '--allow', '--allowlist', '--durability', '--log-level',
  '--operator-token', '--delivery-high-water-bytes', '--verify-threads'];
const FLAGS = new Set([...OPTION_FLAGS, ...LIMIT_FLAGS.keys()]);

function wrapUsage(head: string, items: readonly string[], width = 108): string {
  const lines = [head];
  for (const item of items) {
    const line = lines.at(-1) ?? '';
    if (line.length + item.length + 1 > width) lines.push(`${' '.repeat(12)}${item}`);
    else lines[lines.length - 1] = `${line} ${item}`;
  }
  return lines.join('\n');
}

/** Usage text of `baton relay`. */
export const RELAY_USAGE = wrapUsage('baton relay', [
  '[--port N]', '[--host H]', '[--data DIR]', '[--admission open|allowlist]', '[--allow did,did]', '[--allowlist FILE]',
  '[--durability fsync|normal]', '[--log-level LEVEL]', '[--operator-token TOKEN]', '[--delivery-high-water-bytes N]',
  '[--verify-threads N]',
  ...[...LIMIT_FLAGS.keys()].map((flag) => `[${flag} N]`),
]);

/**
 * The smallest value a limit may take on this relay, as `schemas/limits.schema.json` says: 0 only for backoffs,
 * MAX_REGISTRATION_COST (10,000) for the compile bursts (SPEC MAN-7), 1 for every other limit.
 */
export function limitMinimum(name: keyof Limits): number {
  if (AT_LEAST_ONE_REGISTRATION.has(name)) return MAX_REGISTRATION_COST;
  return ZERO_ALLOWED.has(name) ? 0 : 1;
}

/**
 * Checks a complete limits object before the relay starts (LIM-1): no unknown names, every value a safe
 * integer at or above {@link limitMinimum}, and the relations between limits.
 * @returns the first problem as a sentence naming the limit (and the SPEC requirement), or undefined when fine.
 */
export function checkLimits(limits: object): string | undefined {
  const values = limits as Readonly<Record<string, unknown>>;
  for (const name of Object.keys(values)) if (!Object.hasOwn(DEFAULT_LIMITS, name)) return `unknown limit ${name}`;
  for (const name of LIMIT_NAMES) {
    const value = values[name];
    if (!Number.isSafeInteger(value) || (value as number) < limitMinimum(name)) {
      return `${name} must be an integer >= ${limitMinimum(name)}, got ${String(value)}`;
    }
  }
  const l = limits as unknown as Limits;
  if (l.dedupe_window_ms < 2 * l.max_clock_skew_ms) return 'dedupe_window_ms must be at least twice max_clock_skew_ms (SPEC RPL-3)';
  if (l.max_envelope_bytes + 1024 > l.max_frame_bytes) {
    return 'max_frame_bytes must exceed max_envelope_bytes by at least 1024 bytes for the frame wrapper';
  }
  if (l.redelivery_backoff_ms > l.redelivery_backoff_max_ms) return 'redelivery_backoff_ms must not exceed redelivery_backoff_max_ms (SPEC DLV-4)';
  return undefined;
}

/** Checks an operator token (HTA-3). The message never contains the token. @returns the problem, or undefined. */
export function checkOperatorToken(token: string): string | undefined {
  if (token.length < MIN_OPERATOR_TOKEN_LENGTH) return `the operator token must have at least ${MIN_OPERATOR_TOKEN_LENGTH} characters`;
  if (!/^[\x21-\x7e]+$/.test(token)) return 'the operator token must be printable ASCII without spaces';
  return undefined;
}

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

function parseCount(flag: string, value: string, minimum: number): number {
  if (!/^[0-9]{1,15}$/.test(value) || Number(value) < minimum) {
    throw new UsageError(`${flag} must be a ${minimum === 0 ? 'non-negative' : 'positive'} integer, got ${value}`);
  }
  return Number(value);
}

function parseLimits(last: (flag: string, envName?: string) => string | undefined): Partial<Limits> | undefined {
  const limits: Partial<Limits> = {};
  for (const [flag, name] of LIMIT_FLAGS) {
    const value = last(flag, `BATON_${name.toUpperCase()}`);
    if (value !== undefined) limits[name] = parseCount(flag, value, limitMinimum(name));
  }
  if (Object.keys(limits).length === 0) return undefined;
  const problem = checkLimits({ ...DEFAULT_LIMITS, ...limits });
  if (problem !== undefined) throw new UsageError(problem);
  return limits;
}

/**
 * Builds relay options from `args` (after the `relay` command word) and `env`.
 * @throws UsageError on unknown flags or bad values, including limits that contradict each other.
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
  const token = last('--operator-token', 'BATON_OPERATOR_TOKEN');
  if (token !== undefined) {
    const problem = checkOperatorToken(token);
    if (problem !== undefined) throw new UsageError(`--operator-token: ${problem}`);
    options.operatorToken = token;
  }
  const highWater = last('--delivery-high-water-bytes', 'BATON_DELIVERY_HIGH_WATER_BYTES');
  if (highWater !== undefined) options.deliveryHighWaterBytes = parseCount('--delivery-high-water-bytes', highWater, 1);
  const threads = last('--verify-threads', 'BATON_VERIFY_THREADS');
  if (threads !== undefined) options.verifyThreads = parseCount('--verify-threads', threads, 0);
  const limits = parseLimits(last);
  if (limits !== undefined) options.limits = limits;
  return options;
}
