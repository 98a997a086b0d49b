/**
 * The size of a capability-schema pattern (SPEC MAN-5): how many atoms it holds once every counted repetition is
 * written out. A linear-time engine's program grows with it, and so do compiling the pattern and matching it
 * against each character of the input (an RE2-family engine advances up to one thread per atom per character).
 *
 * Counting, over the ECMA-262 pattern text (valid under the `u` flag, which the caller checks first):
 * - a character, an escape that stands for characters (`\d`, `\p{L}`, `\u{1F600}`, a surrogate pair), a class
 *   `[...]` or `.` counts 1; `^`, `$`, `\b` and `\B` count 0;
 * - a sequence counts the sum of its items, an alternation the sum of its alternatives, a group what it holds;
 * - a quantified item counts its size times the quantifier's count: `{n}` and `{n,}` count n (at least 1),
 *   `{n,m}` counts m, `*`, `+` and `?` count 1.
 * `(?:ab){1000}` has size 2,000; `^[a-z0-9]{1,64}$` 64; `(?:a|bc){10}` 30.
 */

/** Reads the escape at `i` (pattern[i] is `\`); returns its size and the index after it. */
function escapeAt(p: string, i: number, inClass: boolean): [number, number] {
  const c = p[i + 1] ?? '';
  if (c === 'u' && p[i + 2] === '{' || c === 'p' || c === 'P') return [1, p.indexOf('}', i + 2) + 1];
  if (c === 'u') {
    const high = Number.parseInt(p.slice(i + 2, i + 6), 16);
    const pair = high >= 0xd800 && high <= 0xdbff && p.startsWith('\\u', i + 6);
    return [1, pair ? i + 12 : i + 6];
  }
  if (c === 'x') return [1, i + 4];
  if (c === 'c') return [1, i + 3];
  if (c === 'k') return [1, p.indexOf('>', i + 2) + 1];
  if (c >= '1' && c <= '9') {
    let j = i + 2;
    while (p[j] !== undefined && p[j]! >= '0' && p[j]! <= '9') j += 1;
    return [1, j];
  }
  if (!inClass && (c === 'b' || c === 'B')) return [0, i + 2];
  return [1, i + 2];
}

/** The index after the class starting at `i` (pattern[i] is `[`; under `u`, a `[` inside is a literal). */
function classEnd(p: string, i: number): number {
  let j = i + 1;
  if (p[j] === '^') j += 1;
  while (j < p.length && p[j] !== ']') j = p[j] === '\\' ? escapeAt(p, j, true)[1] : j + 1;
  return j + 1;
}

/** Reads a quantifier at `i`, if any: its count and the index after it (a lazy `?` included). */
function quantifier(p: string, i: number): [number, number] | undefined {
  const c = p[i];
  let count: number;
  let next: number;
  if (c === '*' || c === '+' || c === '?') [count, next] = [1, i + 1];
  else if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/u.exec(p.slice(i, i + 32));
    if (m === null) return undefined;
    const min = Number(m[1]);
    count = m[2] === undefined || m[3] === '' ? Math.max(1, min) : Number(m[3]);
    next = i + m[0].length;
  } else return undefined;
  return [count, p[next] === '?' ? next + 1 : next];
}

interface Frame {
  /** Sum of the finished alternatives. */
  done: number;
  /** Sum of the current alternative's items. */
  current: number;
  /** Size of the current alternative's last item (what a quantifier multiplies). */
  last: number;
}

/**
 * The size of `pattern` (see the module header), at most Number.MAX_SAFE_INTEGER.
 * @param pattern - an ECMA-262 pattern valid under the `u` flag (other text gives a size, not an error).
 */
export function patternSize(pattern: string): number {
  const stack: Frame[] = [{ done: 0, current: 0, last: 0 }];
  const top = (): Frame => stack[stack.length - 1]!;
  const add = (size: number): void => {
    const f = top();
    f.current = Math.min(Number.MAX_SAFE_INTEGER, f.current + size);
    f.last = size;
  };
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i];
    const q = quantifier(pattern, i);
    if (q !== undefined) {
      const f = top();
      f.current = Math.min(Number.MAX_SAFE_INTEGER, f.current + f.last * (q[0] - 1));
      // capped, never Infinity: a second quantifier (invalid text) would make Infinity * 0 = NaN
      f.last = Math.min(Number.MAX_SAFE_INTEGER, f.last * q[0]);
      i = q[1];
    } else if (c === '\\') {
      const [size, next] = escapeAt(pattern, i, false);
      add(size);
      i = next;
    } else if (c === '[') {
      add(1);
      i = classEnd(pattern, i);
    } else if (c === '(') {
      stack.push({ done: 0, current: 0, last: 0 });
      i += 1;
      if (pattern[i] === '?') i = pattern[i + 1] === '<' && pattern[i + 2] !== '=' && pattern[i + 2] !== '!' ? pattern.indexOf('>', i) + 1 : i + (pattern[i + 1] === '<' ? 3 : 2);
    } else if (c === ')') {
      const f = stack.length > 1 ? stack.pop()! : top();
      add(Math.min(Number.MAX_SAFE_INTEGER, f.done + f.current));
      i += 1;
    } else if (c === '|') {
      const f = top();
      f.done = Math.min(Number.MAX_SAFE_INTEGER, f.done + f.current);
      f.current = 0;
      f.last = 0;
      i += 1;
    } else {
      add(c === '^' || c === '$' ? 0 : 1);
      i += (pattern.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
    }
    if (i <= 0) break; // an unterminated construct in invalid text
  }
  while (stack.length > 1) {
    const f = stack.pop()!;
    add(f.done + f.current);
  }
  return Math.min(Number.MAX_SAFE_INTEGER, top().done + top().current);
}
