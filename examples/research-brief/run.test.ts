// Runs the research-brief example as a real child process (relay + two agent processes) and checks that the
// brief quotes the real files and that the printed trail shows accepted, delivered and result.
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
  it('produces a brief from the real files through a verified hand-off trail', async () => {
    const { code, stdout, stderr } = await runExample();
    expect(code, stderr).toBe(0);
    // The trail: discovery, then accepted, delivered (signed receipt) and result for the user's request.
    expect(stdout).toMatch(/offers write\.brief@1\.0\.0; registration signature verified/);
    expect(stdout).toMatch(/^ {3}accepted {2}\S+ by relay/m);
    expect(stdout).toMatch(/^ {3}delivered receipt \S+ from did:key:z6Mk/m);
    expect(stdout).toMatch(/^ {3}result {4}\S+ from did:key:z6Mk\S+: ok/m);
    expect(stdout).toMatch(/nested {4}writer -> research\.files: request \S+ accepted=true, delivered receipt from did:key/);

    const brief = readFileSync(new URL('./out/brief.md', import.meta.url), 'utf8');
    expect(stdout).toContain(brief.trim());
    expect(brief).toMatch(/^# Brief: /);
    expect(brief).toContain('## Sources');
    const spec = readFileSync(new URL('../../spec/SPEC.md', import.meta.url), 'utf8');
    expect(brief).toContain(`## ${spec.split('\n')[0]!.slice(2)} (\`spec/SPEC.md\`)`);
    // Every quote with a file reference must come from that file.
    const quotes = [...brief.matchAll(/^> (?!- `)(.+)\n>\n> - `([^`:]+):(\d+)`$/gm)];
    expect(quotes.length).toBeGreaterThanOrEqual(3);
    for (const [, quote, path] of quotes) {
      const source = normalize(readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8'));
      expect(source).toContain(normalize(quote!.replace(/…$/, '')).slice(0, 60));
    }
    expect(quotes.some(([, quote]) => /sign/i.test(quote!))).toBe(true);
  }, 60_000);
});
