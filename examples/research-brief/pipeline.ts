/**
 * The orchestrator's side of the example: a research -> write -> review pipeline run as durable tasks on one
 * thread (SPEC section 21). Each stage is a `delegate()` with a structured hand-off brief; the writer's
 * clarification is answered on its task (the relay is restarted while the question waits, to show the task
 * survives); the reviewer's first verdict sends the draft back once (`reviseOf`, TSK-16).
 */
import type { Agent, Brief, Question, TaskHandle } from '@baton/client';
import { newEnvelopeId } from '@baton/spec';
import type { Findings } from './research.ts';
import type { Review } from './review.ts';
import type { WriteInput, WriteOutput } from './writer-agent.ts';

/** What the pipeline needs from its caller. */
export interface PipelineDeps {
  readonly user: Agent;
  readonly topic: string;
  readonly paths: string[];
  /** Restarts the relay on the same data dir and port (called while the writer's question waits). */
  readonly restartRelay: () => Promise<void>;
  /** Reads a task's state from the relay (after the restart). */
  readonly taskState: (id: string) => string | undefined;
  readonly log: (line?: string) => void;
}

/** What the run produced. */
export interface PipelineResult {
  readonly thread: string;
  readonly tasks: TaskHandle[];
  readonly final: WriteOutput;
  readonly reviews: Review[];
  readonly question: string;
}

const AUDIENCE = 'engineers';
/** Review rounds before the orchestrator stops asking (the relay's max_revisions would stop it anyway). */
const MAX_ROUNDS = 3;

/** Runs the three stages; resolves with the approved brief. */
export async function runPipeline(d: PipelineDeps): Promise<PipelineResult> {
  const { user, log } = d;
  const thread = newEnvelopeId();
  const tasks: TaskHandle[] = [];
  const start = async (label: string, capability: string, input: unknown, brief: Brief, reviseOf?: string): Promise<TaskHandle> => {
    // one orchestrator turn per stage: a retried stage dedupes, a new round is new work (TSK-14)
    const task = await user.delegate(capability, input, { thread, turn: `${thread}/${label}`, brief, timeoutMs: 120_000, ...(reviseOf !== undefined ? { reviseOf } : {}) });
    tasks.push(task);
    log(`== ${label}: task ${task.id} -> ${capability}${reviseOf !== undefined ? ` (revises ${reviseOf})` : ''}`);
    return task;
  };
  const finish = async <T>(task: TaskHandle): Promise<T> => {
    const output = await task.result as T;
    log(`   task ${task.id} ${task.state}`);
    return output;
  };

  const researchTask = await start('research', 'research.files', { question: d.topic, paths: d.paths }, {
    summary: `The user wants a brief on "${d.topic}".`,
    next_action: 'Read the files and return the passages that best match the topic.',
    context: { refs: d.paths.map((uri) => ({ uri })) },
  });
  const findings = await finish<Findings>(researchTask);
  const researchRef = { uri: `baton:task/${researchTask.id}`, description: 'research.files task whose result these findings are' };
  const quoted = findings.files.reduce((n, f) => n + f.key_sentences.length, 0);
  const writerBrief = (feedback?: string): Brief => ({
    summary: `Research read ${findings.files.length} file(s) and found ${quoted} passage(s) on "${d.topic}".`,
    next_action: feedback === undefined ? 'Write the Markdown brief from these findings.' : 'Revise the brief as the reviewer asked.',
    context: { inline: findings, refs: [researchRef, ...d.paths.map((uri) => ({ uri }))] },
    quality: { confidence: 0.8, checks_passed: ['every path read', 'passages scored by term overlap'], sources: d.paths },
    ...(feedback === undefined ? {} : { feedback }),
  });

  let question = '';
  let input: WriteInput = { topic: d.topic };
  let writeTask = await start('write', 'write.brief', input, writerBrief());
  writeTask.onQuestion(async (q: Question) => {
    question = q.text;
    log(`   question on task ${q.task} from the writer: "${q.text}" (choices: ${q.choices?.join(', ') ?? 'none'})`);
    const brief = (q.request.body as { brief?: Brief }).brief;
    log(`   it arrived with the original request ${q.request.id}, signed by its owner; brief: "${brief?.summary ?? ''}"`);
    log('   -- restarting the relay while the task waits for the answer --');
    await d.restartRelay();
    log(`   relay back on the same data dir; task ${q.task} is ${d.taskState(q.task) ?? 'unknown'} in its store`);
    log(`   answering "${AUDIENCE}" on the same task`);
    return AUDIENCE;
  });
  let draft = await finish<WriteOutput>(writeTask);

  const reviews: Review[] = [];
  for (let round = 1; ; round++) {
    const review = await finish<Review>(await start(`review ${round}`, 'review.brief', { markdown: draft.markdown }, {
      summary: `Draft ${round} of the brief on "${d.topic}", written for ${draft.audience}.`,
      next_action: 'Check every quote against its file and line; approve or ask for changes.',
    }));
    reviews.push(review);
    log(`   verdict: ${review.verdict} (${review.quotes_checked} quotes checked)${review.problems.length > 0 ? `: ${review.problems.join('; ')}` : ''}`);
    if (review.verdict === 'approve' || round >= MAX_ROUNDS) break;
    input = { ...input, audience: draft.audience, ...review.changes };
    writeTask = await start(`revision ${round}`, 'write.brief', input, writerBrief(review.feedback), writeTask.id);
    draft = await finish<WriteOutput>(writeTask);
  }
  return { thread, tasks, final: draft, reviews, question };
}
