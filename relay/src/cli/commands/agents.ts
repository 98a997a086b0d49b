/**
 * `baton agents [--url URL] [--capability X] [--tag T] [--all] [--json]`: list agents registered at a relay
 * through its HTTP discovery endpoint `GET /v1/agents` (SPEC DIS-4), as a table or as JSON.
 */
import { parseCommandArgs } from '../parse-command-args.ts';
import { formatTable } from '../format-table.ts';
import { fail, httpBase, requestJson } from '../relay-http.ts';
import type { DiscoveryEntry } from '@baton/spec';

const USAGE = 'usage: baton agents [--url http://127.0.0.1:8787] [--capability NAME] [--tag TAG] [--all] [--json]';

/** Formats entries as an aligned text table: did, handle, online, capabilities. */
export function formatAgentsTable(entries: readonly DiscoveryEntry[]): string {
  return formatTable([
    ['DID', 'HANDLE', 'ONLINE', 'CAPABILITIES'],
    ...entries.map((e) => [e.agent, e.handle ?? '-', e.online ? 'yes' : 'no', e.capabilities.join(', ') || '-']),
  ]);
}

/**
 * Runs the command. `--url` defaults to `BATON_HTTP_URL` or `http://127.0.0.1:8787`.
 * @returns the exit code: 0 on success, 1 when the relay cannot be reached or answers an error (`CODE: message`
 *   on stderr), 2 on bad arguments.
 */
export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandArgs({
    args,
    options: {
      url: { type: 'string' }, capability: { type: 'string' }, tag: { type: 'string' },
      all: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  }, USAGE);
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const base = httpBase(values.url);
  if (base === undefined) {
    process.stderr.write(`invalid --url ${values.url ?? process.env['BATON_HTTP_URL'] ?? ''}\n${USAGE}\n`);
    return 2;
  }
  const url = new URL('/v1/agents', base);
  if (values.capability !== undefined) url.searchParams.set('capability', values.capability);
  if (values.tag !== undefined) url.searchParams.set('tag', values.tag);
  if (values.all === true) url.searchParams.set('include_offline', 'true');
  const answer = await requestJson<{ agents?: DiscoveryEntry[] }>(url);
  if (!answer.ok) return fail(answer);
  const agents = answer.doc.agents;
  if (!Array.isArray(agents)) return fail({ code: 'HTTP_200', message: `unexpected answer from ${url.href}` });
  process.stdout.write(values.json === true ? `${JSON.stringify({ agents }, null, 2)}\n` : `${formatAgentsTable(agents)}\n`);
  return 0;
}
