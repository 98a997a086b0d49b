// Requirement registry: parses SPEC.md for requirement IDs (`**[XXX-n]**`), their text, section and the
// strongest RFC 2119 keyword in the text, so cases and reports can cite them and coverage can be checked.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** RFC 2119 level of a requirement: the strongest keyword in its text, or INFO when it has none. */
export type RequirementLevel = 'MUST' | 'SHOULD' | 'MAY' | 'INFO';

/** One requirement of SPEC.md. */
export interface Requirement {
  /** e.g. `SIG-3`. */
  id: string;
  level: RequirementLevel;
  /** Section heading it sits under, e.g. `7. Signatures`. */
  section: string;
  /** The requirement's text (markdown, joined onto one line). */
  text: string;
}

/** Default location of SPEC.md, resolved relative to this package (../../spec/SPEC.md). */
export const SPEC_PATH = fileURLToPath(new URL('../../spec/SPEC.md', import.meta.url));

const MUST = /\b(MUST|MUST NOT|REQUIRED|SHALL|SHALL NOT)\b/;
const SHOULD = /\b(SHOULD|SHOULD NOT|RECOMMENDED)\b/;
const MAY = /\b(MAY|OPTIONAL)\b/;

/** Strongest RFC 2119 keyword (all capitals only) in `text`. */
export function levelOf(text: string): RequirementLevel {
  if (MUST.test(text)) return 'MUST';
  if (SHOULD.test(text)) return 'SHOULD';
  if (MAY.test(text)) return 'MAY';
  return 'INFO';
}

/**
 * Parses SPEC.md markdown: a requirement starts at a list item `- **[ID]**` and runs until the next list
 * item, blank line or heading. Code blocks are skipped.
 */
export function parseRequirements(markdown: string): Requirement[] {
  const out: Requirement[] = [];
  let section = '';
  let current: { id: string; section: string; lines: string[] } | null = null;
  let inCode = false;
  const flush = (): void => {
    if (!current) return;
    const text = current.lines.join(' ').replace(/\s+/g, ' ').trim();
    out.push({ id: current.id, section: current.section, text, level: levelOf(text) });
    current = null;
  };
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) {
      inCode = !inCode;
      continue;
    }
    if (inCode) continue;
    const heading = /^#{2,3}\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      section = heading[1] ?? '';
      continue;
    }
    const start = /^\s*-\s+\*\*\[([A-Z]+-\d+)\]\*\*\s*(.*)$/.exec(line);
    if (start) {
      flush();
      current = { id: start[1] ?? '', section, lines: [start[2] ?? ''] };
      continue;
    }
    if (current && (line.trim() === '' || /^\s*-\s/.test(line))) {
      flush();
      continue;
    }
    if (current) current.lines.push(line.trim());
  }
  flush();
  return out;
}

/** Reads and parses SPEC.md (default {@link SPEC_PATH}). @throws Node fs errors when the file is missing. */
export function loadRequirements(path: string = SPEC_PATH): Requirement[] {
  return parseRequirements(readFileSync(path, 'utf8'));
}
