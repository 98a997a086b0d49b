/**
 * `baton tasks [list] [filters] | show <id>`: a relay's tasks over its HTTP API (SPEC TSK-18), authenticated
 * like `baton dlq`: `--key FILE` (an agent: the tasks it owns or handles or has handled) or
 * `--operator-token` / `BATON_OPERATOR_TOKEN` (every task). `list` (the default) prints one task per line as
 * JSON, or a table with `--table`, and `more tasks: add --after ID` on stderr when more follow; `show` prints
 * the task with its history. Errors print `CODE: message` on stderr and exit 1; bad arguments exit 2.
 */
import type { Task } from '@baton/spec';
import { formatTable } from '../format-table.ts';
import { parseCommandArgs } from '../parse-command-args.ts';
import { AUTH_OPTIONS, AUTH_USAGE, callRelay, relayTarget } from '../relay-auth.ts';
import { fail } from '../relay-http.ts';

const USAGE = `usage: baton tasks [list] [--owner DID] [--handler DID] [--state STATE] [--thread ID] [--limit N] [--after ID] [--table]
       baton tasks show <id> [--table]
${AUTH_USAGE}`;

const FILTERS = ['owner', 'handler', 'state', 'thread', 'limit', 'after'] as const;

const time = (ms: number): string => new Date(ms).toISOString();

/** Formats tasks as a table: id, state, capability, owner, handler, attempts, revision, last change. */
export function formatTaskTable(tasks: readonly Task[]): string {
  return formatTable([
    ['ID', 'STATE', 'CAPABILITY', 'OWNER', 'HANDLER', 'ATTEMPTS', 'REVISION', 'UPDATED'],
    ...tasks.map((t) => [t.id, t.state, t.capability, t.owner, t.handler ?? '-', String(t.attempts), String(t.revision), time(t.updated_at)]),
  ]);
}

function printList(doc: unknown, table: boolean): void {
  const { tasks, next } = doc as { tasks: Task[]; next?: string };
  if (table) process.stdout.write(`${formatTaskTable(tasks)}\n`);
  else for (const t of tasks) process.stdout.write(`${JSON.stringify(t)}\n`);
  if (next !== undefined) process.stderr.write(`more tasks: add --after ${next}\n`);
}

function printTask(doc: unknown, table: boolean): void {
  const { task } = doc as { task: Task };
  if (!table) {
    process.stdout.write(`${JSON.stringify(task, null, 2)}\n`);
    return;
  }
  const { events = [], ...t } = task;
  const rows = [
    ['id', t.id], ['state', t.state], ['capability', t.capability], ['to', t.to], ['owner', t.owner],
    ['handler', t.handler ?? '-'], ['attempts', String(t.attempts)], ['revision', String(t.revision)],
    ['thread', t.thread ?? '-'], ['parent', t.parent ?? '-'], ['deadline', t.deadline === null ? '-' : time(t.deadline)],
    ['reason', t.reason ?? '-'], ['late results', String(t.late_results)], ['flagged', String(t.flagged)],
    ['created', time(t.created_at)], ['updated', time(t.updated_at)],
  ];
  const history = formatTable([
    ['N', 'AT', 'FROM', 'TO', 'CAUSE', 'SENDER', 'SEQ', 'NOTE'],
    ...events.map((e) => [String(e.n), time(e.at), e.from ?? '-', e.to, e.cause.type, e.cause.sender, String(e.cause.seq),
      [e.reason, e.late === true ? 'late' : undefined].filter((x) => x !== undefined).join(' ')]),
  ]);
  process.stdout.write(`${formatTable([['FIELD', 'VALUE'], ...rows])}\n\nhistory:\n${history}\n`);
}

type Values = Partial<Record<(typeof FILTERS)[number], string>>;
type Call = { path: string; print: (doc: unknown, table: boolean) => void };

/** The HTTP call of a subcommand, or a usage problem. */
function callFor(positionals: readonly string[], values: Values): Call | string {
  const [sub = 'list', id, ...extra] = positionals;
  if (extra.length > 0) return `unexpected argument ${extra[0] ?? ''}`;
  if (sub === 'list') {
    if (id !== undefined) return 'list takes no <id>';
    const q = new URLSearchParams();
    for (const name of FILTERS) if (values[name] !== undefined) q.set(name, values[name]);
    return { path: `/v1/tasks${q.size > 0 ? `?${q.toString()}` : ''}`, print: printList };
  }
  if (sub !== 'show') return `unknown subcommand ${sub}`;
  if (id === undefined) return 'show needs a task <id>';
  if (FILTERS.some((name) => values[name] !== undefined)) return 'the filters go with list';
  return { path: `/v1/tasks/${encodeURIComponent(id)}`, print: printTask };
}

/**
 * Runs the command.
 * @returns the exit code: 0 with the answer on stdout; 1 with `CODE: message` on stderr (UNAUTHORIZED,
 *   NOT_FOUND, INVALID_FRAME, INVALID_IDENTITY, CONNECTION_CLOSED, ...); 2 on bad arguments.
 */
export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandArgs({
    args,
    options: {
      ...AUTH_OPTIONS, owner: { type: 'string' }, handler: { type: 'string' }, state: { type: 'string' },
      thread: { type: 'string' }, limit: { type: 'string' }, after: { type: 'string' },
      table: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  }, USAGE);
  if (typeof parsed === 'number') return parsed;
  const call = callFor(parsed.positionals, parsed.values);
  const target = typeof call === 'string' ? call : relayTarget(parsed.values);
  if (typeof call === 'string' || typeof target === 'string') {
    process.stderr.write(`${typeof call === 'string' ? call : String(target)}\n${USAGE}\n`);
    return 2;
  }
  const answer = await callRelay(target, 'GET', call.path);
  if (!answer.ok) return fail(answer);
  call.print(answer.doc, parsed.values.table === true);
  return 0;
}
