/**
 * Regular expressions of capability schemas (`pattern`, `patternProperties`), matched in time linear in the
 * input (SPEC MAN-5): the ECMA-262 pattern (with the `u` flag, as JSON Schema 2020-12 §6.4 says) is rewritten
 * into RE2 syntax with the same meaning and run by re2js, a JavaScript port of RE2.
 *
 * Why: a relay runs patterns written by one agent on input written by another (TSK-10). V8's backtracking
 * engine takes exponential time on patterns such as `^(a+)+$` (28 characters of input: 2.3 s on the 2-core
 * machine; 40 would take hours), so one request could stall a relay. RE2 matches any pattern it accepts in
 * linear time; it does not accept backreferences, lookaround or repetition counts above 1,000 (also nested:
 * the counts multiply), and neither does MAN-5.
 *
 * The rewrite keeps ECMA-262's meaning where RE2's differs: `.` excludes `\r`, U+2028 and U+2029 too; `\s`
 * and `\S` are ECMA-262's WhiteSpace and LineTerminator set and its complement; `\uXXXX` (surrogate pairs
 * joined), `\u{X}`, `\cX` and `\0` become `\x{...}`; `[` inside a class is a literal (RE2 would read `[:alpha:]`
 * as a POSIX class); `[]` and `[^]` match nothing and any code point; `(?<name>` becomes `(?P<name>`; `\b`
 * inside a class is a backspace; `\p{Script=X}` and `\p{gc=X}` become `\p{X}`. `\d`, `\w` and `\b` are ASCII in
 * both. Matching is a boolean search anywhere in the string, where leftmost-first and leftmost-longest agree.
 *
 * Linear is not cheap: an RE2-family engine advances up to one thread per atom of the pattern per character
 * (and its lazy DFA builds up to one state per character), so a search costs up to the pattern's size times the
 * input's length. MAN-5 bounds the size (MAX_PATTERN_SIZE) and MAN-6 counts every search of a validation as
 * work (PATTERN_STEPS_PER_UNIT).
 */
import { RE2JS } from 're2js';
import { patternSize } from './pattern-size.ts';
import { chargeWork } from './schema-work.ts';

/** The largest pattern size (pattern-size.ts) a capability schema may use (SPEC MAN-5). */
export const MAX_PATTERN_SIZE = 1_000;

/**
 * Pattern size times characters (UTF-16 code units) searched, plus one, per unit of MAN-6 work: a search costs
 * `ceil(size * (length + 1) / 4)` units. Worst cases measured on the 2-core machine took 40-170 ns per size
 * times character (`a[ab]{200}c` on 20,000 random `a`/`b`: 0.4-0.7 s), so MAN-6's 200,000 units allow about
 * 0.1 s of searching.
 */
export const PATTERN_STEPS_PER_UNIT = 4;

/** What ajv needs of a compiled pattern, and its size. */
export interface LinearRegExp {
  test(input: string): boolean;
  toString(): string;
  /** The pattern's size (pattern-size.ts, SPEC MAN-5). */
  readonly size: number;
}

/** ECMA-262 `\s`: WhiteSpace (TAB, VT, FF, ZWNBSP, Zs) and LineTerminator (LF, CR, LS, PS), as ranges. */
const SPACE_RANGES: readonly (readonly [number, number])[] = [
  [0x09, 0x0d], [0x20, 0x20], [0xa0, 0xa0], [0x1680, 0x1680], [0x2000, 0x200a], [0x2028, 0x2029], [0x202f, 0x202f],
  [0x205f, 0x205f], [0x3000, 0x3000], [0xfeff, 0xfeff],
];

function hex(cp: number): string {
  return `\\x{${cp.toString(16)}}`;
}

function rangesText(ranges: readonly (readonly [number, number])[]): string {
  return ranges.map(([a, b]) => (a === b ? hex(a) : `${hex(a)}-${hex(b)}`)).join('');
}

function complement(ranges: readonly (readonly [number, number])[]): [number, number][] {
  const out: [number, number][] = [];
  let next = 0;
  for (const [a, b] of ranges) {
    if (a > next) out.push([next, a - 1]);
    next = b + 1;
  }
  if (next <= 0x10ffff) out.push([next, 0x10ffff]);
  return out;
}

const SPACE = rangesText(SPACE_RANGES);
const NOT_SPACE = rangesText(complement(SPACE_RANGES));
const DOT = `[^${hex(0x0a)}${hex(0x0d)}${hex(0x2028)}${hex(0x2029)}]`;
const PROPERTY_PREFIX = /^(?:Script|sc|General_Category|gc)=/u;

/** Thrown for a pattern outside MAN-5; the message says which construct. */
class PatternError extends SyntaxError {}

/** Reads the escape at `i` (pattern[i] is `\`); returns its RE2 text and the index after it. */
function escape(p: string, i: number, inClass: boolean): [string, number] {
  const c = p[i + 1] ?? '';
  if (c === 'u') {
    if (p[i + 2] === '{') {
      const end = p.indexOf('}', i + 3);
      return [hex(Number.parseInt(p.slice(i + 3, end), 16)), end + 1];
    }
    let cp = Number.parseInt(p.slice(i + 2, i + 6), 16);
    let next = i + 6;
    const low = p.startsWith('\\u', next) ? Number.parseInt(p.slice(next + 2, next + 6), 16) : Number.NaN;
    if (cp >= 0xd800 && cp <= 0xdbff && low >= 0xdc00 && low <= 0xdfff) {
      cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
      next += 6;
    }
    return [hex(cp), next];
  }
  if (c === 'x') return [hex(Number.parseInt(p.slice(i + 2, i + 4), 16)), i + 4];
  if (c === 'c') return [hex((p.codePointAt(i + 2) ?? 0) % 32), i + 3];
  if (c === '0') return [hex(0), i + 2];
  if (c >= '1' && c <= '9' || c === 'k') throw new PatternError('it uses a backreference');
  if (c === 's') return [inClass ? SPACE : `[${SPACE}]`, i + 2];
  if (c === 'S') return [inClass ? NOT_SPACE : `[${NOT_SPACE}]`, i + 2];
  if (c === 'b' && inClass) return [hex(0x08), i + 2];
  if (c === 'p' || c === 'P') {
    const end = p.indexOf('}', i + 3);
    const name = p.slice(i + 3, end);
    if (!/^[A-Za-z_]+(?:=[A-Za-z_]+)?$/u.test(name) || /^(?:Script_Extensions|scx)=/u.test(name)) {
      throw new PatternError(`it uses the Unicode property \\${c}{${name}}`);
    }
    return [`\\${c}{${name.replace(PROPERTY_PREFIX, '')}}`, end + 1];
  }
  // \d \D \w \W \b \B \f \n \r \t \v and the escaped syntax characters mean the same in RE2
  return [`\\${c}`, i + 2];
}

/** Rewrites the class starting at `i` (pattern[i] is `[`); returns its RE2 text and the index after it. */
function charClass(p: string, i: number): [string, number] {
  const negated = p[i + 1] === '^';
  let j = negated ? i + 2 : i + 1;
  if (p[j] === ']') return [negated ? `[${hex(0)}-${hex(0x10ffff)}]` : `[^${hex(0)}-${hex(0x10ffff)}]`, j + 1];
  let out = negated ? '[^' : '[';
  while (p[j] !== ']') {
    if (p[j] === '\\') {
      const [text, next] = escape(p, j, true);
      out += text;
      j = next;
    } else {
      out += p[j] === '[' ? '\\[' : p[j];
      j += 1;
    }
  }
  return [`${out}]`, j + 1];
}

/** Rewrites a group opening at `i` (pattern[i] is `(`); returns its RE2 text and the index after it. */
function group(p: string, i: number): [string, number] {
  if (p[i + 1] !== '?') return ['(', i + 1];
  const kind = p[i + 2];
  if (kind === '=' || kind === '!' || kind === '<' && (p[i + 3] === '=' || p[i + 3] === '!')) {
    throw new PatternError('it uses a lookahead or lookbehind assertion');
  }
  if (kind === '<') return ['(?P<', i + 3];
  return ['(?', i + 2];
}

/**
 * Rewrites an ECMA-262 pattern (valid under the `u` flag) into RE2 syntax with the same meaning.
 * @throws SyntaxError for a construct MAN-5 excludes (backreferences, lookaround, `\p{Script_Extensions=..}`).
 */
export function toRe2Syntax(pattern: string): string {
  let out = '';
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i];
    let text: string;
    if (c === '\\') [text, i] = escape(pattern, i, false);
    else if (c === '[') [text, i] = charClass(pattern, i);
    else if (c === '(') [text, i] = group(pattern, i);
    else {
      text = c === '.' ? DOT : c ?? '';
      i += 1;
    }
    out += text;
  }
  return out;
}

/**
 * Compiles a capability schema's pattern for linear-time matching (SPEC MAN-5).
 * @param pattern - an ECMA-262 pattern, as in JSON Schema's `pattern` and `patternProperties`.
 * @returns an object whose `test(input)` says whether the pattern matches anywhere in `input`.
 * @throws SyntaxError naming the reason: not a valid ECMA-262 pattern under the `u` flag, or a construct
 *   outside MAN-5 (backreferences, lookaround, repetition counts above 1,000 alone or multiplied when nested).
 */
export function compileLinearRegExp(pattern: string): LinearRegExp {
  try {
    new RegExp(pattern, 'u'); // syntax only: constructing does not match, so it cannot backtrack
  } catch (error) {
    throw new SyntaxError(`pattern ${JSON.stringify(pattern)} is not a valid ECMA-262 regular expression (u flag): ${(error as Error).message}`);
  }
  const size = patternSize(pattern);
  if (size > MAX_PATTERN_SIZE) {
    throw new SyntaxError(`pattern ${JSON.stringify(pattern)} has size ${size.toLocaleString('en-US')} (atoms with counted repetitions written out), more than ${MAX_PATTERN_SIZE.toLocaleString('en-US')} (SPEC MAN-5)`);
  }
  let re: RE2JS;
  try {
    re = RE2JS.compile(toRe2Syntax(pattern));
  } catch (error) {
    throw new SyntaxError(`pattern ${JSON.stringify(pattern)} is outside the linear-time subset (SPEC MAN-5): ${(error as Error).message}`);
  }
  const text = `/${pattern}/u`;
  return { test: (input) => re.test(input), toString: () => text, size };
}

/**
 * The same as an ajv `code.regExp` engine whose searches count towards the current validation's MAN-6 work
 * (schema-work.ts), before they run (`code` is only read by ajv's standalone code generation, not used here).
 */
export const linearRegExpEngine = Object.assign((pattern: string): LinearRegExp => {
  const re = compileLinearRegExp(pattern);
  return {
    test: (input) => {
      chargeWork(Math.ceil(re.size * (input.length + 1) / PATTERN_STEPS_PER_UNIT));
      return re.test(input);
    },
    toString: () => re.toString(),
    size: re.size,
  };
}, { code: 'require("@baton/spec").compileLinearRegExp' });
