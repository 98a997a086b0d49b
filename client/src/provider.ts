/**
 * Running one request on the provider side (SPEC TYP-3, MAN-4, RPL-2): check its deadline, validate the
 * input against the manifest, run the handler with an AbortSignal, validate the output, and build the signed
 * `result` envelope. When receipts, rejections and `working` frames are sent is decided by
 * `provider-runtime.ts`.
 */
import { BatonError, checkValue, createEnvelope } from '@baton/spec';
import type { CapabilityManifest, Envelope, KeyPair, ResultBody } from '@baton/spec';
import { resultBodyFromError } from './result-errors.ts';
import type { TaskContext } from './task-types.ts';
import type { CapabilityHandler } from './types.ts';

/** A registered capability with its handler. */
export interface Capability {
  manifest: CapabilityManifest;
  handler: CapabilityHandler;
}

/** Builds the `result` envelope answering `request` (TYP-3): to its author, parent = its id, same thread. */
export function createResult(key: KeyPair, request: Envelope, body: ResultBody): Envelope {
  return createEnvelope(key, {
    type: 'result',
    to: request.from,
    parent: request.id,
    thread: request.thread ?? request.id,
    body: body as unknown as Record<string, unknown>,
  });
}

/**
 * Runs `request` and returns the result body to send; never throws. Error codes: `EXPIRED` (exp passed before
 * it could run), `UNSUPPORTED_CAPABILITY` (`capability` undefined), `INPUT_SCHEMA_VIOLATION`,
 * `OUTPUT_SCHEMA_VIOLATION`, `SCHEMA_TOO_COMPLEX` (either check over MAN-6's work bound), the code of a thrown
 * `BatonError`, else `HANDLER_ERROR`. The handler's signal aborts at `exp` (`EXPIRED`) and when `closeSignal` aborts (`CONNECTION_CLOSED`); `run` supplies its
 * controller (aborted also when the task ends) and the task part of the context.
 */
export async function runRequest(
  request: Envelope, capability: Capability | undefined, now: number, closeSignal: AbortSignal, run: { controller: AbortController; context(): TaskContext },
): Promise<ResultBody> {
  const body = request.body as { capability?: unknown; input?: unknown };
  const name = typeof body.capability === 'string' ? body.capability : '';
  if (request.exp !== undefined && request.exp <= now) {
    return { status: 'error', error: { code: 'EXPIRED', message: 'the request deadline passed before it could run' } };
  }
  if (capability === undefined) {
    return { status: 'error', error: { code: 'UNSUPPORTED_CAPABILITY', message: `this agent does not provide ${JSON.stringify(name)}` } };
  }
  const inputProblem = checkValue(capability.manifest.input_schema, body.input, 'INPUT_SCHEMA_VIOLATION');
  if (inputProblem !== null) {
    return { status: 'error', error: { code: inputProblem.code, message: `input does not match ${name} input_schema: ${inputProblem.message}` } };
  }
  const { controller } = run;
  const onClose = (): void => controller.abort(new BatonError('CONNECTION_CLOSED', 'the agent closed'));
  closeSignal.addEventListener('abort', onClose, { once: true });
  const timer = request.exp === undefined
    ? undefined
    : setTimeout(() => controller.abort(new BatonError('EXPIRED', 'the request deadline passed')), request.exp - now);
  try {
    const raw = await capability.handler(body.input, { ...run.context(), request, from: request.from, signal: controller.signal });
    const output = raw === undefined ? null : raw;
    const outputProblem = checkValue(capability.manifest.output_schema, output, 'OUTPUT_SCHEMA_VIOLATION');
    if (outputProblem !== null) {
      return { status: 'error', error: { code: outputProblem.code, message: `output does not match ${name} output_schema: ${outputProblem.message}` } };
    }
    return { status: 'ok', output };
  } catch (error) {
    return resultBodyFromError(error);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    closeSignal.removeEventListener('abort', onClose);
  }
}
