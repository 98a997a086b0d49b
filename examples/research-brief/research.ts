/**
 * The research logic of the `research.files` capability, kept free of any Baton code: read files inside the
 * repository, and for a question extract each file's title and headings, its size, the sentences that best
 * match the question's words (simple term-overlap scoring, no model), and keyword counts across all files.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';

/** One matching sentence with its 1-based line number. */
export interface KeySentence { line: number; text: string; score: number }

/** What the researcher found in one file. */
export interface FileFindings {
  path: string;
  title: string;
  headings: string[];
  size_bytes: number;
  key_sentences: KeySentence[];
  keyword_counts: Record<string, number>;
}

/** The output of `research.files`. */
export interface Findings {
  question: string;
  keywords: string[];
  files: FileFindings[];
  keyword_counts: Record<string, number>;
}

const STOPWORDS = new Set(('the and for are but not you all any can had her was one our out has his how its may new now old see two who did get let say she too use what when where which while with that this from they will would there their them then than into your about does each such only other some these those were been being have just more most over very also how why').split(' '));
const MAX_FILE_BYTES = 2_000_000;
const MAX_SENTENCE_CHARS = 280;
const SENTENCES_PER_FILE = 4;

/** The distinct lowercase words of `question` worth searching for (3+ letters, no stopwords), with simple stems. */
export function keywordsOf(question: string): string[] {
  const words = question.toLowerCase().match(/[a-z][a-z0-9-]{2,}/g) ?? [];
  return [...new Set(words.filter((w) => !STOPWORDS.has(w)).map(stem))];
}

/** A crude stem so that "signs" meets "signed" and "signature" by prefix: strips a plural `s`. */
function stem(word: string): string {
  return word.length > 3 && word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word;
}

/**
 * Resolves `path` inside `root`, following symlinks.
 * @throws Error when the path is absolute or leaves the repository.
 */
export async function resolveInside(root: string, path: string): Promise<string> {
  if (isAbsolute(path)) throw new Error(`${path}: absolute paths are not allowed`);
  const full = await realpath(resolve(root, path));
  const rel = relative(await realpath(root), full);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) throw new Error(`${path}: outside the repository`);
  return full;
}

/** True for lines that end a paragraph by themselves: blank, heading, fence, table row, comment. */
function isBreak(line: string): boolean {
  return line === '' || line.startsWith('#') || line.startsWith('```') || line.startsWith('|') || line.startsWith('<!--');
}

/**
 * Splits Markdown into sentences with the line each starts on. Wrapped lines are joined into paragraphs
 * (a list item starts a new one); code fences, tables and headings are skipped.
 */
function sentencesOf(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let inFence = false;
  let para: { line: number; parts: string[] } | undefined;
  const flush = (): void => {
    if (para === undefined) return;
    // each part is one source line; a sentence starts on the line holding its first character
    const parts = para.parts.map((p) => p.replace(/\*\*/g, '').replace(/\s+/g, ' ').trim());
    const starts: number[] = [];
    let offset = 0;
    for (const p of parts) {
      starts.push(offset);
      offset += p.length + 1;
    }
    const joined = parts.join(' ');
    let from = 0;
    for (const sentence of joined.split(/(?<=[.!?])\s+(?=[A-Z`*(\[])/)) {
      const at = joined.indexOf(sentence, from);
      from = at + sentence.length;
      const part = starts.findLastIndex((s) => s <= at);
      if (sentence.length >= 25) {
        out.push({ line: para.line + Math.max(0, part), text: sentence.length > MAX_SENTENCE_CHARS ? `${sentence.slice(0, MAX_SENTENCE_CHARS - 1)}…` : sentence });
      }
    }
    para = undefined;
  };
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line.startsWith('```')) inFence = !inFence;
    if (inFence || isBreak(line)) {
      flush();
      return;
    }
    const item = /^([-*>]|\d+\.)\s+/.exec(line);
    if (item !== null) flush();
    const content = item !== null ? line.slice(item[0].length) : line;
    if (para === undefined) para = { line: index + 1, parts: [] };
    para.parts.push(content);
  });
  flush();
  return out;
}

/** Counts how often each keyword (as a word prefix) occurs in `text`. */
function countKeywords(text: string, keywords: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  const words = text.toLowerCase().match(/[a-z][a-z0-9-]*/g) ?? [];
  for (const k of keywords) counts[k] = words.filter((w) => w.startsWith(k)).length;
  return counts;
}

/** Reads and analyses one file. */
async function analyse(root: string, path: string, keywords: string[]): Promise<FileFindings> {
  const full = await resolveInside(root, path);
  const info = await stat(full);
  if (!info.isFile()) throw new Error(`${path}: not a file`);
  if (info.size > MAX_FILE_BYTES) throw new Error(`${path}: larger than ${MAX_FILE_BYTES} bytes`);
  const text = await readFile(full, 'utf8');
  const lines = text.split('\n');
  const title = lines.find((l) => l.startsWith('# '))?.slice(2).trim() ?? path;
  const headings = lines.filter((l) => /^#{2,3} /.test(l)).map((l) => l.replace(/^#+ /, '').trim()).slice(0, 24);
  const scored = sentencesOf(text).map((s) => {
    const words = new Set((s.text.toLowerCase().match(/[a-z][a-z0-9-]*/g) ?? []));
    const score = keywords.filter((k) => [...words].some((w) => w.startsWith(k))).length;
    return { ...s, score };
  });
  const key_sentences = scored
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score || a.line - b.line)
    .slice(0, SENTENCES_PER_FILE)
    .sort((a, b) => a.line - b.line);
  return { path, title, headings, size_bytes: info.size, key_sentences, keyword_counts: countKeywords(text, keywords) };
}

/** Researches `question` in `paths` (relative to `root`). @throws Error for a path outside `root` or unreadable. */
export async function research(root: string, question: string, paths: string[]): Promise<Findings> {
  const keywords = keywordsOf(question);
  const files: FileFindings[] = [];
  for (const path of paths) files.push(await analyse(root, path, keywords));
  const keyword_counts: Record<string, number> = {};
  for (const k of keywords) keyword_counts[k] = files.reduce((sum, f) => sum + (f.keyword_counts[k] ?? 0), 0);
  return { question, keywords, files, keyword_counts };
}
