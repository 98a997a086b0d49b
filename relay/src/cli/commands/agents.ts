/**
 * `baton agents [--url URL] [--capability X] [--tag T] [--all] [--json]`: list agents registered at a relay
 * through its HTTP discovery endpoint `GET /v1/agents` (SPEC DIS-4), as a table or as JSON.
 */
import { parseCommandArgs } from '../parse-command-args.ts';
import type { DiscoveryEntry } from '@baton/spec';

const USAGE = 'usage: baton agents [--url http://127.0.0.1:8787] [--capability NAME] [--tag TAG] [--all] [--json]';

/** Formats entries as an aligned text table: did, handle, online, capabilities. */
export function formatAgentsTable(entries: readonly DiscoveryEntry[]): string {
  const rows = [['DID', 'HANDLE', 'ONLINE', 'CAPABILITIES']];
  for (const e of entries) rows.push([e.agent, e.handle ?? '-', e.online ? 'yes' : 'no', e.capabilities.join(', ') || '-']);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n');
}

/**
 * Runs the command. `--url` defaults to `BATON_HTTP_URL` or `http://127.0.0.1:8787`.
 * @returns the exit code: 0 on success, 1 when the relay cannot be reached or answers an error, 2 on bad arguments.
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
  const base = values.url ?? process.env['BATON_HTTP_URL'] ?? 'http://127.0.0.1:8787';
  let url: URL;
  try {
    url = new URL('/v1/agents', base);
  } catch {
    process.stderr.write(`invalid --url ${base}\n${USAGE}\n`);
    return 2;
  }
  if (values.capability !== undefined) url.searchParams.set('capability', values.capability);
  if (values.tag !== undefined) url.searchParams.set('tag', values.tag);
  if (values.all === true) url.searchParams.set('include_offline', 'true');
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    process.stderr.write(`CONNECTION_CLOSED: cannot reach ${url.origin}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  const text = await response.text();
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    doc = undefined;
  }
  if (!response.ok) {
    const err = doc as { code?: string; message?: string } | undefined;
    process.stderr.write(`${err?.code ?? `HTTP_${response.status}`}: ${err?.message ?? text.slice(0, 200)}\n`);
    return 1;
  }
  const agents = (doc as { agents?: DiscoveryEntry[] } | undefined)?.agents;
  if (!Array.isArray(agents)) {
    process.stderr.write(`unexpected answer from ${url.href}\n`);
    return 1;
  }
  process.stdout.write(values.json === true ? `${JSON.stringify({ agents }, null, 2)}\n` : `${formatAgentsTable(agents)}\n`);
  return 0;
}
