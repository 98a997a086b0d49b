/**
 * Turns research findings into a Markdown brief: title, summary, one section per source with quotes and
 * file:line references, and a sources list. Pure function, no Baton code.
 */
import type { Findings } from './research.ts';

/** Who did the research, for the brief's provenance line. */
export interface Provenance { researcher: string; request_id: string; receipt_from: string | undefined }

/** How to write the brief: who reads it, and how many quotes each source section keeps (the strongest). */
export interface BriefStyle { audience?: string; maxQuotesPerSource?: number }

/** Renders the brief for `topic`. */
export function renderBrief(topic: string, findings: Findings, provenance: Provenance, style: BriefStyle = {}): string {
  const top = Object.entries(findings.keyword_counts).sort((a, b) => b[1] - a[1]).filter(([, n]) => n > 0).slice(0, 6);
  const quoted = findings.files.reduce((n, f) => n + f.key_sentences.length, 0);
  const out: string[] = [];
  out.push(`# Brief: ${topic}`, '');
  if (style.audience !== undefined) out.push(`_Written for ${style.audience}._`, '');
  out.push('## Summary', '');
  out.push(
    `This brief draws on ${findings.files.length} source file(s) (${findings.files.map((f) => `\`${f.path}\``).join(', ')}) `
    + `and quotes ${quoted} passage(s) that best match the topic. `
    + (top.length > 0 ? `The most frequent topic words are ${top.map(([k, n]) => `"${k}" (${n})`).join(', ')}.` : 'No topic word occurs in the sources.'),
  );
  const best = findings.files.flatMap((f) => f.key_sentences.map((s) => ({ ...s, path: f.path }))).sort((a, b) => b.score - a.score)[0];
  if (best !== undefined) out.push('', `The single most relevant passage is in \`${best.path}\` line ${best.line}:`, '', `> ${best.text}`);
  for (const file of findings.files) {
    out.push('', `## ${file.title} (\`${file.path}\`)`, '');
    out.push(`${file.size_bytes} bytes, ${file.headings.length} section heading(s)${file.headings.length > 0 ? `: ${file.headings.slice(0, 8).join('; ')}${file.headings.length > 8 ? '; ...' : ''}` : ''}.`);
    if (file.key_sentences.length === 0) {
      out.push('', '_No passage matches the topic._');
      continue;
    }
    const kept = [...file.key_sentences].sort((a, b) => b.score - a.score).slice(0, style.maxQuotesPerSource ?? Infinity)
      .sort((a, b) => a.line - b.line);
    for (const s of kept) out.push('', `> ${s.text}`, `>`, `> - \`${file.path}:${s.line}\``);
  }
  out.push('', '## Sources', '');
  for (const file of findings.files) out.push(`- \`${file.path}\` - ${file.title} (${file.size_bytes} bytes)`);
  out.push('', `_Research by ${provenance.researcher} (task ${provenance.request_id}, handed over by ${provenance.receipt_from ?? 'unknown'})._`, '');
  return out.join('\n');
}
