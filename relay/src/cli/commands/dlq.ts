/**
 * `baton dlq list|show|redrive|purge`: inspect and manage a relay's dead-letter queue over its HTTP API
 * (SPEC DLQ-1..DLQ-4). Authenticates as an agent with `--key FILE` (signed requests, HTA-1; the agent sees
 * the entries it sent) or as the operator with `--operator-token` / `BATON_OPERATOR_TOKEN` (every entry).
 * Prints JSON (one entry per line for `list`) or, with `--table`, a readable table. Errors print
 * `CODE: message` on stderr and exit 1; bad arguments exit 2.
 */
import type { DeadLetterEntry } from '@baton/spec';
import { formatTable } from '../format-table.ts';
import { parseCommandArgs } from '../parse-command-args.ts';
import { AUTH_OPTIONS, AUTH_USAGE, callRelay, relayTarget, type AuthFlags, type RelayTarget } from '../relay-auth.ts';
import { fail } from '../relay-http.ts';

const USAGE = `usage: baton dlq list [--limit N] [--after ENTRY] [--sender DID] [--table]
       baton dlq show <entry> [--table]
       baton dlq redrive <entry> [--table]
       baton dlq purge <entry> [--table]
${AUTH_USAGE}`;

type Call = { method: 'GET' | 'POST' | 'DELETE'; path: string; print: (doc: unknown, table: boolean) => void };
type Values = { limit?: string; after?: string; sender?: string };
type Flags = Values & AuthFlags & { table?: boolean };

const time = (ms: number): string => new Date(ms).toISOString();

/** Formats DLQ entries as a table: entry, sender, type, to, reason, attempts, dead-lettered time. */
export function formatDlqTable(entries: readonly DeadLetterEntry[]): string {
  return formatTable([
    ['ENTRY', 'SENDER', 'TYPE', 'TO', 'REASON', 'ATTEMPTS', 'DEAD-LETTERED'],
    ...entries.map((e) => [String(e.entry), e.sender, e.type, e.to, e.reason, String(e.attempts), time(e.dead_lettered_at)]),
  ]);
}

function printList(doc: unknown, table: boolean): void {
  const { entries, next } = doc as { entries: DeadLetterEntry[]; next?: number };
  if (table) process.stdout.write(`${formatDlqTable(entries)}\n`);
  else for (const e of entries) process.stdout.write(`${JSON.stringify(e)}\n`);
  if (next !== undefined) process.stderr.write(`more entries: add --after ${next}\n`);
}

function printEntry(doc: unknown, table: boolean): void {
  if (!table) {
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    return;
  }
  const { envelope, ...e } = doc as DeadLetterEntry;
  const rows = [
    ['entry', String(e.entry)], ['sender', e.sender], ['id', e.id], ['type', e.type], ['to', e.to],
    ['recipient', e.recipient ?? '-'], ['reason', e.reason], ['attempts', String(e.attempts)],
    ['last error', e.last_error === undefined ? '-' : `${e.last_error.code}: ${e.last_error.message}`],
    ['accepted', time(e.accepted_at)], ['dead-lettered', time(e.dead_lettered_at)],
  ];
  process.stdout.write(`${formatTable([['FIELD', 'VALUE'], ...rows])}\n\nenvelope:\n${JSON.stringify(envelope, null, 2)}\n`);
}

function printStatus(doc: unknown, table: boolean): void {
  const { entry, status } = doc as { entry: number; status: string };
  process.stdout.write(table ? `${formatTable([['ENTRY', 'STATUS'], [String(entry), status]])}\n` : `${JSON.stringify({ entry, status })}\n`);
}

/** The HTTP call of a subcommand, or a usage problem. */
function callFor(sub: string | undefined, entry: string | undefined, values: Values): Call | string {
  if (sub === 'list') {
    if (entry !== undefined) return 'list takes no <entry>';
    const q = new URLSearchParams();
    for (const name of ['limit', 'after', 'sender'] as const) if (values[name] !== undefined) q.set(name, values[name]);
    const search = q.size > 0 ? `?${q.toString()}` : '';
    return { method: 'GET', path: `/v1/dlq${search}`, print: printList };
  }
  if (sub !== 'show' && sub !== 'redrive' && sub !== 'purge') return sub === undefined ? 'missing subcommand' : `unknown subcommand ${sub}`;
  if (entry === undefined) return `${sub} needs an <entry>`;
  if (values.limit !== undefined || values.after !== undefined || values.sender !== undefined) return '--limit, --after and --sender go with list';
  const path = `/v1/dlq/${encodeURIComponent(entry)}`;
  if (sub === 'show') return { method: 'GET', path, print: printEntry };
  return sub === 'redrive' ? { method: 'POST', path: `${path}/redrive`, print: printStatus } : { method: 'DELETE', path, print: printStatus };
}

/** What to do, from the parsed arguments; or the usage problem. */
function plan(values: Flags, positionals: string[]): { call: Call; target: RelayTarget } | string {
  const [sub, entry, ...extra] = positionals;
  if (extra.length > 0) return `unexpected argument ${extra[0] ?? ''}`;
  const call = callFor(sub, entry, values);
  if (typeof call === 'string') return call;
  const target = relayTarget(values);
  return typeof target === 'string' ? target : { call, target };
}

/**
 * Runs the command.
 * @returns the exit code: 0 with the answer on stdout; 1 with `CODE: message` on stderr when the relay cannot
 *   be reached, the key file is unusable, or the relay answers an error (UNAUTHORIZED, NOT_FOUND, EXPIRED,
 *   INVALID_FRAME, ...); 2 on bad arguments.
 */
export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandArgs({
    args,
    options: {
      ...AUTH_OPTIONS, limit: { type: 'string' }, after: { type: 'string' }, sender: { type: 'string' },
      table: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  }, USAGE);
  if (typeof parsed === 'number') return parsed;
  const p = plan(parsed.values, parsed.positionals);
  if (typeof p === 'string') {
    process.stderr.write(`${p}\n${USAGE}\n`);
    return 2;
  }
  const answer = await callRelay(p.target, p.call.method, p.call.path);
  if (!answer.ok) return fail(answer);
  p.call.print(answer.doc, parsed.values.table === true);
  return 0;
}
