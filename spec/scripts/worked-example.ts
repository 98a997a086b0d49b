/**
 * Renders SPEC.md's worked signing example (section 7, SIG-5) from `vectors/envelopes.json`, and writes it
 * between the `worked-example` markers when run. `spec/test/spec-doc.test.ts` fails when SPEC.md is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import envelopes from '../vectors/envelopes.json' with { type: 'json' };

export const specFile = fileURLToPath(new URL('../SPEC.md', import.meta.url));
export const START = '<!-- worked-example:start -->';
export const END = '<!-- worked-example:end -->';

const wrap = (text: string, width = 96) => text.match(new RegExp(`.{1,${width}}`, 'g'))?.join('\n') ?? '';

/** The Markdown of the worked example. */
export function renderWorkedExample(): string {
  const entry = envelopes.valid[0]!;
  const key = envelopes.keys.alice;
  const prefixHex = entry.signing_input_hex.slice(0, 36);
  return [
    START,
    '',
    `Secret key (seed, hex): \`${key.secret_key_hex}\``,
    '',
    `Public key (hex): \`${key.public_key_hex}\`, so \`from\` = \`${key.did}\`.`,
    '',
    'The envelope as sent (`sig` last here for readability; member order on the wire is irrelevant):',
    '',
    '```json',
    JSON.stringify(entry.envelope, null, 2),
    '```',
    '',
    '1. Remove `sig` and serialize with JCS (RFC 8785). The result, exactly:',
    '',
    '```',
    entry.jcs,
    '```',
    '',
    `2. Prepend \`baton/v1/envelope\` and a zero byte (hex \`${prefixHex}\`). The signing input, hex:`,
    '',
    '```',
    wrap(entry.signing_input_hex),
    '```',
    '',
    `3. SHA-256 of the signing input (what a receipt's \`digest\` holds): \`${entry.digest}\``,
    '',
    '4. Ed25519-sign the signing input with the secret key. Signature, hex:',
    '',
    '```',
    wrap(entry.signature_hex, 64),
    '```',
    '',
    `   and as \`sig\` (base64url, no padding): \`${(entry.envelope as { sig: string }).sig}\``,
    '',
    END,
  ].join('\n');
}

/** SPEC.md with the example block replaced by a fresh rendering. */
export function specWithExample(spec: string): string {
  const start = spec.indexOf(START);
  const end = spec.indexOf(END);
  if (start < 0 || end < start) throw new Error('SPEC.md has no worked-example markers');
  return spec.slice(0, start) + renderWorkedExample() + spec.slice(end + END.length);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(specFile, specWithExample(readFileSync(specFile, 'utf8')));
  console.log('updated the worked example in SPEC.md');
}
