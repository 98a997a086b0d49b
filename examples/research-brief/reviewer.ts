/**
 * The reviewer agent (plain functions + `agent.handle`): provides `review.brief` - checks a draft against the
 * repository files it quotes (review.ts) and answers `approve` or `revise` with feedback and structured
 * changes. Run as a child process by run.ts.
 */
import { fileURLToPath } from 'node:url';
import type { CapabilityManifest } from '@baton/client';
import { announceReady, connectFromEnv } from './agent-env.ts';
import { reviewBrief } from './review.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The signed description of `review.brief`. */
export const reviewManifest: CapabilityManifest = {
  name: 'review.brief',
  version: '1.0.0',
  description: 'Reviews a Markdown brief: every quote must match its file:line in the repository, the brief needs a summary, sources and an audience, and at most 3 quotes per source.',
  input_schema: {
    type: 'object', additionalProperties: false, required: ['markdown'],
    properties: { markdown: { type: 'string', minLength: 1, maxLength: 60_000 } },
  },
  output_schema: {
    type: 'object', additionalProperties: false, required: ['verdict', 'problems', 'feedback', 'changes', 'quotes_checked'],
    properties: {
      verdict: { enum: ['approve', 'revise'] },
      problems: { type: 'array', items: { type: 'string' } },
      feedback: { type: 'string' },
      changes: { type: 'object', additionalProperties: false, properties: { max_quotes_per_source: { type: 'integer', minimum: 1 } } },
      quotes_checked: { type: 'integer', minimum: 0 },
    },
  },
  timeout_ms: 10_000,
  tags: ['review'],
};

const agent = await connectFromEnv('reviewer');
agent.handle('review.brief', (input) => reviewBrief((input as { markdown: string }).markdown, REPO_ROOT));
await agent.register(reviewManifest, { handle: 'reviewer' });
announceReady('reviewer', agent.did);
