/**
 * UTF-8 encoding of signing inputs: Node's Buffer path and the TextEncoder path (browsers; checked in a child
 * process without `Buffer`) give the same bytes, including for lone surrogates (both write U+FFFD), and hand out
 * plain Uint8Arrays.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { prefixedUtf8, utf8 } from '../src/encoding/bytes.ts';

const TEXTS = ['', 'ascii', 'é ü ß', '日本語', '😀 emoji', 'lone \ud800 surrogate', '\udfff', 'x'.repeat(5000)];
const PREFIX = Uint8Array.of(98, 0);

function expected(prefix: Uint8Array, text: string): number[] {
  return [...prefix, ...new TextEncoder().encode(text)];
}

describe('utf8 and prefixedUtf8', () => {
  it('match TextEncoder, with and without a prefix, as plain Uint8Arrays', () => {
    for (const text of TEXTS) {
      const bytes = utf8(text);
      expect(bytes.constructor).toBe(Uint8Array);
      expect([...bytes]).toEqual(expected(new Uint8Array(0), text));
      const prefixed = prefixedUtf8(PREFIX, text);
      expect(prefixed.constructor).toBe(Uint8Array);
      expect([...prefixed]).toEqual(expected(PREFIX, text));
    }
  });

  it('give the same bytes where Buffer is absent (the TextEncoder path)', () => {
    const code = `delete globalThis.Buffer;
      const { prefixedUtf8 } = await import(${JSON.stringify(new URL('../src/encoding/bytes.ts', import.meta.url).href)});
      const texts = ${JSON.stringify(TEXTS)};
      process.stdout.write(JSON.stringify([typeof globalThis.Buffer, texts.map((t) => [...prefixedUtf8(Uint8Array.of(98, 0), t)])]));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual(['undefined', TEXTS.map((t) => expected(PREFIX, t))]);
  });
});
