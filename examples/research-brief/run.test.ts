// Runs the research-brief pipeline as a real child process (relay + three agent processes): checks the trail
// (three stages as tasks, one clarification across a relay restart, one revision), the relay's task records,
// the audit-log verification, and that the approved brief quotes the real files.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const normalize = (text: string): string => text.replace(/\*\*/g, '').replace(/\s+/g, ' ');

function runExample(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['examples/research-brief/run.ts'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('examples/research-brief', () => {
  it('runs research -> write -> review with one clarification across a relay restart and one revision', async () => {
    const { code, stdout, stderr } = await runExample();
    expect(code, stderr).toBe(0);
    // Three stages as tasks on one thread; one clarification answered after a relay restart; one revision.
    expect(stdout).toMatch(/^== research: task \S+ -> research\.files$/m);
    expect(stdout).toMatch(/question on task (\S+) from the writer: "Who is the brief/);
    expect(stdout).toMatch(/it arrived with the original request \S+, signed by its owner; brief: "Research read 3 file/);
    expect(stdout).toMatch(/-- restarting the relay while the task waits for the answer --\n.*task \S+ is awaiting-input in its store/);
    expect(stdout).toMatch(/^== review 1: .*\n.*\n {3}verdict: revise \(\d+ quotes checked\): .*quote more than 3 passages$/m);
    expect(stdout).toMatch(/^== revision 1: task \S+ -> write\.brief \(revises \S+\)$/m);
    expect(stdout).toMatch(/^== review 2: .*\n.*\n {3}verdict: approve/m);
    expect(stdout.match(/^== review \d/gm)).toHaveLength(2);
    // The relay's records: five completed tasks, the revision counted, the first write task's history.
    expect(stdout.match(/^ {3}\S+ {2}\S+ +completed revision \d/gm)).toHaveLength(5);
    expect(stdout).toMatch(/write\.brief {4}completed revision 1 .* revises /);
    expect(stdout).toMatch(/in-flight -> awaiting-input {2}by update/);
    expect(stdout).toMatch(/awaiting-input -> in-flight {2}by answer/);
    // The exported audit log verifies: every signature and every task history.
    expect(stdout).toMatch(/baton verify-log: ok/);
    expect(stdout).toMatch(/tasks: 5 \(completed 5\)/);
    expect(stdout).toMatch(/OK: 0 errors/);

    const brief = readFileSync(new URL('./out/brief.md', import.meta.url), 'utf8');
    expect(stdout).toContain(brief.trim());
    expect(brief).toMatch(/^# Brief: /);
    expect(brief).toContain('_Written for engineers._');
    expect(brief).toContain('## Sources');
    const spec = readFileSync(new URL('../../spec/SPEC.md', import.meta.url), 'utf8');
    expect(brief).toContain(`## ${spec.split('\n')[0]!.slice(2)} (\`spec/SPEC.md\`)`);
    // Every quote with a file reference must come from that file.
    const quotes = [...brief.matchAll(/^> (?!- `)(.+)\n>\n> - `([^`:]+):(\d+)`$/gm)];
    expect(quotes.length).toBeGreaterThanOrEqual(3);
    // the revision applied the reviewer's change: at most 3 quotes per source section
    for (const section of brief.split(/^## /m).filter((x) => /^[^\n]*\(`/.test(x))) expect((section.match(/^> - `/gm) ?? []).length).toBeLessThanOrEqual(3);
    for (const [, quote, path] of quotes) {
      const source = normalize(readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8'));
      expect(source).toContain(normalize(quote!.replace(/…$/, '')).slice(0, 60));
    }
    expect(quotes.some(([, quote]) => /sign/i.test(quote!))).toBe(true);
  }, 60_000);
});
