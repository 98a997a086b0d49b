/**
 * The researcher agent (plain functions + `agent.handle`): provides `research.files` - read repository files
 * and return findings for a question. Run as a child process by run.ts (BATON_URL, BATON_KEY in the env).
 */
import { fileURLToPath } from 'node:url';
import { BatonError } from '@baton/client';
import type { CapabilityManifest } from '@baton/client';
import { announceReady, connectFromEnv } from './agent-env.ts';
import { research } from './research.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

const sentence = {
  type: 'object', additionalProperties: false, required: ['line', 'text', 'score'],
  properties: { line: { type: 'integer', minimum: 1 }, text: { type: 'string' }, score: { type: 'integer', minimum: 0 } },
};
const counts = { type: 'object', additionalProperties: { type: 'integer', minimum: 0 } };

/** The signed description of `research.files`. */
export const researchManifest: CapabilityManifest = {
  name: 'research.files',
  version: '1.0.0',
  description: 'Reads files of this repository and returns, for a question, each file\'s title, headings, size, best-matching sentences and keyword counts.',
  input_schema: {
    type: 'object', additionalProperties: false, required: ['question', 'paths'],
    properties: {
      question: { type: 'string', minLength: 3, maxLength: 500 },
      paths: { type: 'array', minItems: 1, maxItems: 8, items: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^/]' } },
    },
  },
  output_schema: {
    type: 'object', additionalProperties: false, required: ['question', 'keywords', 'files', 'keyword_counts'],
    properties: {
      question: { type: 'string' },
      keywords: { type: 'array', items: { type: 'string' } },
      keyword_counts: counts,
      files: {
        type: 'array',
        items: {
          type: 'object', additionalProperties: false,
          required: ['path', 'title', 'headings', 'size_bytes', 'key_sentences', 'keyword_counts'],
          properties: {
            path: { type: 'string' }, title: { type: 'string' }, headings: { type: 'array', items: { type: 'string' } },
            size_bytes: { type: 'integer', minimum: 0 }, key_sentences: { type: 'array', items: sentence }, keyword_counts: counts,
          },
        },
      },
    },
  },
  timeout_ms: 10_000,
  tags: ['research', 'files'],
};

const agent = await connectFromEnv('researcher');
agent.handle('research.files', async (input) => {
  const { question, paths } = input as { question: string; paths: string[] };
  try {
    return await research(REPO_ROOT, question, paths);
  } catch (error) {
    // A path outside the repository or a missing file is the caller's input problem.
    throw new BatonError('INPUT_SCHEMA_VIOLATION', error instanceof Error ? error.message : String(error));
  }
});
await agent.register(researchManifest, { handle: 'researcher' });
announceReady('researcher', agent.did);
