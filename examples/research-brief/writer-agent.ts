/**
 * The writer agent, written in a different style from the researcher (a class wrapping the agent, as an
 * agent framework would): provides `write.brief` by discovering `research.files`, requesting it through
 * capability routing, and rendering the findings as a Markdown brief. Run as a child process by run.ts.
 */
import type { Agent, CapabilityManifest } from '@baton/client';
import { BatonError } from '@baton/client';
import { announceReady, connectFromEnv } from './agent-env.ts';
import { renderBrief } from './brief-markdown.ts';
import type { Findings } from './research.ts';

/** Input of `write.brief`. */
export interface WriteInput { topic: string; paths: string[] }

/** Output of `write.brief`: the Markdown plus the verified trail of the research hand-off. */
export interface WriteOutput {
  markdown: string;
  research: { provider: string; request_id: string; accepted: boolean; receipt_from: string | null; result_id: string };
}

/** A brief writer that delegates research to whichever agent offers `research.files`. */
export class WriterAgent {
  static readonly manifest: CapabilityManifest = {
    name: 'write.brief',
    version: '1.0.0',
    description: 'Writes a Markdown brief on a topic from repository files, delegating the reading to research.files.',
    input_schema: {
      type: 'object', additionalProperties: false, required: ['topic', 'paths'],
      properties: { topic: { type: 'string', minLength: 3, maxLength: 300 }, paths: { type: 'array', minItems: 1, maxItems: 8, items: { type: 'string' } } },
    },
    output_schema: {
      type: 'object', additionalProperties: false, required: ['markdown', 'research'],
      properties: {
        markdown: { type: 'string', minLength: 1 },
        research: {
          type: 'object', additionalProperties: false, required: ['provider', 'request_id', 'accepted', 'receipt_from', 'result_id'],
          properties: {
            provider: { type: 'string' }, request_id: { type: 'string' }, accepted: { type: 'boolean' },
            receipt_from: { type: ['string', 'null'] }, result_id: { type: 'string' },
          },
        },
      },
    },
    timeout_ms: 20_000,
    tags: ['writing'],
  };

  readonly #agent: Agent;

  constructor(agent: Agent) {
    this.#agent = agent;
  }

  /** Registers `write.brief` and starts answering it. */
  async start(): Promise<void> {
    this.#agent.handle('write.brief', (input, ctx) => this.write(input as WriteInput, ctx.signal));
    await this.#agent.register(WriterAgent.manifest, { handle: 'writer' });
  }

  /**
   * Writes the brief.
   * @throws BatonError `NO_PROVIDER` when no researcher is online, or the researcher's error code.
   */
  async write(input: WriteInput, signal?: AbortSignal): Promise<WriteOutput> {
    const researchers = await this.#agent.discover({ capability: 'research.files' });
    if (researchers.length === 0) throw new BatonError('NO_PROVIDER', 'no agent offers research.files');
    const outcome = await this.#agent.call('research.files', { question: input.topic, paths: input.paths }, {
      timeoutMs: 15_000, ...(signal !== undefined ? { signal } : {}),
    });
    const provenance = { researcher: outcome.provider, request_id: outcome.request.id, receipt_from: outcome.receipt?.from };
    return {
      markdown: renderBrief(input.topic, outcome.output as Findings, provenance),
      research: {
        provider: outcome.provider,
        request_id: outcome.request.id,
        accepted: outcome.accepted.id === outcome.request.id,
        receipt_from: outcome.receipt?.from ?? null,
        result_id: outcome.result.id,
      },
    };
  }
}

const agent = await connectFromEnv('writer');
await new WriterAgent(agent).start();
announceReady('writer', agent.did);
