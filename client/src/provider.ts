/**
 * The provider side of a request (SPEC TYP-3, MAN-4, RPL-2): given a verified, deduplicated and receipted
 * `request` envelope, check its deadline, find the capability, validate the input, run the handler,
 * validate the output and send the signed `result`.
 */
import { BatonError, createEnvelope, validateAgainstSchema } from '@baton/spec';
import type { CapabilityManifest, Envelope, KeyPair, ResultBody } from '@baton/spec';
import { resultBodyFromError } from './result-errors.ts';
import type { CapabilityHandler, TraceEvent } from './types.ts';

/** What the provider logic needs from its agent. */
export interface ProviderHost {
  readonly key: KeyPair;
  /** The registered manifest and handler for a capability, when both exist. */
  capability(name: string): { manifest: CapabilityManifest; handler: CapabilityHandler } | undefined;
  /** Sends an envelope; failures are logged by the host, not thrown. */
  sendQuietly(env: Envelope): void;
  /** Aborted when the agent closes. */
  readonly closeSignal: AbortSignal;
  now(): number;
  trace(event: TraceEvent): void;
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

/** Runs the request and returns the result body to send (never throws). */
async function answer(host: ProviderHost, request: Envelope): Promise<ResultBody> {
  const body = request.body as { capability?: unknown; input?: unknown };
  const name = typeof body.capability === 'string' ? body.capability : '';
  if (request.exp !== undefined && request.exp <= host.now()) {
    return { status: 'error', error: { code: 'EXPIRED', message: 'the request deadline passed before it could run' } };
  }
  const capability = host.capability(name);
  if (capability === undefined) {
    return { status: 'error', error: { code: 'UNSUPPORTED_CAPABILITY', message: `this agent does not provide ${JSON.stringify(name)}` } };
  }
  const inputProblem = validateAgainstSchema(capability.manifest.input_schema, body.input);
  if (inputProblem !== null) {
    return { status: 'error', error: { code: 'INPUT_SCHEMA_VIOLATION', message: `input does not match ${name} input_schema: ${inputProblem}` } };
  }
  const controller = new AbortController();
  const onClose = (): void => controller.abort(new BatonError('CONNECTION_CLOSED', 'the agent closed'));
  host.closeSignal.addEventListener('abort', onClose, { once: true });
  const timer = request.exp === undefined
    ? undefined
    : setTimeout(() => controller.abort(new BatonError('EXPIRED', 'the request deadline passed')), request.exp - host.now());
  try {
    const raw = await capability.handler(body.input, { request, from: request.from, signal: controller.signal });
    const output = raw === undefined ? null : raw;
    const outputProblem = validateAgainstSchema(capability.manifest.output_schema, output);
    if (outputProblem !== null) {
      return { status: 'error', error: { code: 'OUTPUT_SCHEMA_VIOLATION', message: `output does not match ${name} output_schema: ${outputProblem}` } };
    }
    return { status: 'ok', output };
  } catch (error) {
    return resultBodyFromError(error);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    host.closeSignal.removeEventListener('abort', onClose);
  }
}

/**
 * Answers one verified, first-seen `request` envelope whose receipt has already been sent. Error codes in the
 * result: `EXPIRED` (exp passed), `UNSUPPORTED_CAPABILITY`, `INPUT_SCHEMA_VIOLATION`,
 * `OUTPUT_SCHEMA_VIOLATION`, the code of a thrown `BatonError`, else `HANDLER_ERROR`.
 */
export async function processRequest(host: ProviderHost, request: Envelope): Promise<void> {
  const body = await answer(host, request);
  if (host.closeSignal.aborted) return;
  const event: TraceEvent = body.status === 'ok'
    ? { kind: 'handled', env: request, status: 'ok' }
    : { kind: 'handled', env: request, status: 'error', code: body.error.code };
  host.sendQuietly(createResult(host.key, request, body));
  host.trace(event);
}
