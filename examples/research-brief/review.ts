/**
 * The review logic of the `review.brief` capability, free of any Baton code: checks a Markdown brief against
 * the repository it quotes. Every quote's `file:line` reference must exist and the quoted text must be on
 * that line; the brief needs a Summary, a Sources section and an audience line; each source section may quote
 * at most `maxQuotesPerSource` passages. The verdict is `approve` or `revise` with feedback and the concrete
 * changes the writer should make.
 */
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/** What the reviewer says about one draft. */
export interface Review {
  verdict: 'approve' | 'revise';
  problems: string[];
  /** Human-readable feedback for the writer (empty when approved). */
  feedback: string;
  /** Structured changes for the next revision. */
  changes: { max_quotes_per_source?: number };
  quotes_checked: number;
}

/** Longest quote prefix compared with the source line (quotes may be shortened by the writer). */
const COMPARE_CHARS = 60;
/** Lines after the cited one that a quoted sentence may continue on. */
const SPAN_LINES = 4;

const flat = (text: string): string => text.replace(/\*\*/g, '').replace(/\s+/g, ' ').trim();

/** Reviews `markdown` against the files under `repoRoot`. */
export function reviewBrief(markdown: string, repoRoot: string, maxQuotesPerSource = 3): Review {
  const problems: string[] = [];
  const changes: Review['changes'] = {};
  for (const heading of ['## Summary', '## Sources']) if (!markdown.includes(`\n${heading}\n`)) problems.push(`missing section "${heading}"`);
  if (!/^_Written for .+\._$/m.test(markdown)) problems.push('the brief does not say who it is written for');
  const quotes = [...markdown.matchAll(/^> (?!- `)(.+)\n>\n> - `([^`:]+):(\d+)`$/gm)];
  for (const [, quote, path, line] of quotes) {
    const file = resolve(repoRoot, path!);
    if (relative(repoRoot, file).startsWith('..')) {
      problems.push(`quote cites ${path} outside the repository`);
      continue;
    }
    let source: string | undefined;
    try {
      // a quoted sentence starts on its line and may run over the next ones (wrapped paragraphs)
      const lines = readFileSync(join(repoRoot, path!), 'utf8').split('\n');
      source = Number(line) >= 1 && Number(line) <= lines.length ? lines.slice(Number(line) - 1, Number(line) + SPAN_LINES).join(' ') : undefined;
    } catch {
      problems.push(`quote cites ${path}, which cannot be read`);
      continue;
    }
    if (source === undefined || !flat(source).includes(flat(quote!).replace(/…$/, '').slice(0, COMPARE_CHARS))) {
      problems.push(`quote at ${path}:${line} does not match that line`);
    }
  }
  const sections = markdown.split(/^## /m).slice(1).filter((s) => /^[^\n]*\(`[^`]+`\)\n/.test(s));
  const crowded = sections.filter((s) => (s.match(/^> - `/gm) ?? []).length > maxQuotesPerSource).length;
  if (crowded > 0) {
    problems.push(`${crowded} source section(s) quote more than ${maxQuotesPerSource} passages`);
    changes.max_quotes_per_source = maxQuotesPerSource;
  }
  const verdict = problems.length === 0 ? 'approve' : 'revise';
  const feedback = verdict === 'approve' ? '' : `Please revise: ${problems.join('; ')}. Keep only the strongest passages.`;
  return { verdict, problems, feedback, changes, quotes_checked: quotes.length };
}
