/**
 * The writer agent, written in a different style from the researcher (a class wrapping the agent, as an
 * agent framework would): provides `write.brief`. The research findings arrive in the task's structured
 * hand-off brief (`brief.context.inline`, SPEC TSK-9), not in the input. When the input names no audience the
 * writer asks its owner one clarification on the same task (TSK-5, TSK-8); on a revision it applies the
 * reviewer's structured changes. Run as a child process by run.ts.
 */
import type { Agent, CapabilityManifest, HandlerContext } from '@baton/client';
import { announceReady, connectFromEnv } from './agent-env.ts';
import { renderBrief } from './brief-markdown.ts';
import type { Findings } from './research.ts';

/** Input of `write.brief`. */
export interface WriteInput { topic: string; audience?: string; max_quotes_per_source?: number }

/** Output of `write.brief`. */
export interface WriteOutput { markdown: string; audience: string; asked: boolean }

/** Audiences the writer offers when it has to ask. */
export const AUDIENCES = ['engineers', 'operators', 'managers'];

/** A brief writer that works from the findings handed to it in the task brief. */
export class WriterAgent {
  static readonly manifest: CapabilityManifest = {
    name: 'write.brief',
    version: '2.0.0',
    description: 'Writes a Markdown brief on a topic from research findings passed inline in the task brief; asks for the audience when not given.',
    input_schema: {
      type: 'object', additionalProperties: false, required: ['topic'],
      properties: {
        topic: { type: 'string', minLength: 3, maxLength: 300 },
        audience: { enum: AUDIENCES },
        max_quotes_per_source: { type: 'integer', minimum: 1, maximum: 10 },
      },
    },
    output_schema: {
      type: 'object', additionalProperties: false, required: ['markdown', 'audience', 'asked'],
      properties: { markdown: { type: 'string', minLength: 1 }, audience: { enum: AUDIENCES }, asked: { type: 'boolean' } },
    },
    timeout_ms: 120_000,
    tags: ['writing'],
  };

  readonly #agent: Agent;

  constructor(agent: Agent) {
    this.#agent = agent;
  }

  /** Registers `write.brief` and starts answering it. */
  async start(): Promise<void> {
    this.#agent.handle('write.brief', (input, ctx) => this.write(input as WriteInput, ctx));
    await this.#agent.register(WriterAgent.manifest, { handle: 'writer' });
  }

  /**
   * Writes the brief.
   * @throws BatonError `INPUT_SCHEMA_VIOLATION` (via ctx.fail) when the brief carries no findings.
   */
  async write(input: WriteInput, ctx: HandlerContext): Promise<WriteOutput> {
    const findings = ctx.task.brief?.context?.inline as Findings | undefined;
    if (findings === undefined || !Array.isArray(findings.files)) {
      return ctx.fail('INPUT_SCHEMA_VIOLATION', 'write.brief needs the research findings in brief.context.inline');
    }
    await ctx.progress(`drafting from ${findings.files.length} source file(s)`, 10);
    let audience = input.audience;
    if (audience === undefined) {
      const answer = await ctx.askClarification({ text: `Who is the brief on "${input.topic}" for?`, choices: AUDIENCES, schema: { enum: AUDIENCES } });
      audience = String(answer);
    }
    await ctx.progress(`writing for ${audience}`, 60);
    const research = ctx.task.brief?.context?.refs?.find((r) => r.uri.startsWith('baton:task/'));
    const markdown = renderBrief(input.topic, findings, {
      researcher: 'research.files', request_id: research?.uri.slice('baton:task/'.length) ?? 'unknown', receipt_from: ctx.task.owner,
    }, { audience, ...(input.max_quotes_per_source !== undefined ? { maxQuotesPerSource: input.max_quotes_per_source } : {}) });
    return { markdown, audience, asked: input.audience === undefined };
  }
}

const agent = await connectFromEnv('writer');
await new WriterAgent(agent).start();
announceReady('writer', agent.did);
