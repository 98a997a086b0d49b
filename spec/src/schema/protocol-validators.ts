/**
 * Compiled validators for the protocol's own JSON Schemas (spec/schemas, draft 2020-12), with ajv in strict
 * mode. The schemas are imported as JSON modules so that this works unchanged in Node and in bundlers.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import common from '../../schemas/common.schema.json' with { type: 'json' };
import manifest from '../../schemas/manifest.schema.json' with { type: 'json' };
import bodyRegister from '../../schemas/body-register.schema.json' with { type: 'json' };
import bodyRequest from '../../schemas/body-request.schema.json' with { type: 'json' };
import bodyResult from '../../schemas/body-result.schema.json' with { type: 'json' };
import bodyReceipt from '../../schemas/body-receipt.schema.json' with { type: 'json' };
import bodyMessage from '../../schemas/body-message.schema.json' with { type: 'json' };
import bodyNotice from '../../schemas/body-notice.schema.json' with { type: 'json' };
import dlqEntry from '../../schemas/dlq-entry.schema.json' with { type: 'json' };
import envelope from '../../schemas/envelope.schema.json' with { type: 'json' };
import limits from '../../schemas/limits.schema.json' with { type: 'json' };
import discoveryQuery from '../../schemas/discovery-query.schema.json' with { type: 'json' };
import discoveryEntry from '../../schemas/discovery-entry.schema.json' with { type: 'json' };
import relayInfo from '../../schemas/relay-info.schema.json' with { type: 'json' };
import frameHello from '../../schemas/frame-hello.schema.json' with { type: 'json' };
import frameAuth from '../../schemas/frame-auth.schema.json' with { type: 'json' };
import frameWelcome from '../../schemas/frame-welcome.schema.json' with { type: 'json' };
import frameSend from '../../schemas/frame-send.schema.json' with { type: 'json' };
import frameAccepted from '../../schemas/frame-accepted.schema.json' with { type: 'json' };
import frameDeliver from '../../schemas/frame-deliver.schema.json' with { type: 'json' };
import frameDelivered from '../../schemas/frame-delivered.schema.json' with { type: 'json' };
import frameDiscover from '../../schemas/frame-discover.schema.json' with { type: 'json' };
import frameDiscovered from '../../schemas/frame-discovered.schema.json' with { type: 'json' };
import frameError from '../../schemas/frame-error.schema.json' with { type: 'json' };
import frameReject from '../../schemas/frame-reject.schema.json' with { type: 'json' };
import frameWorking from '../../schemas/frame-working.schema.json' with { type: 'json' };
import frameWatch from '../../schemas/frame-watch.schema.json' with { type: 'json' };
import frameWatching from '../../schemas/frame-watching.schema.json' with { type: 'json' };
import frameTaskEvent from '../../schemas/frame-task-event.schema.json' with { type: 'json' };
import brief from '../../schemas/brief.schema.json' with { type: 'json' };
import bodyUpdate from '../../schemas/body-update.schema.json' with { type: 'json' };
import bodyAnswer from '../../schemas/body-answer.schema.json' with { type: 'json' };
import bodyCancel from '../../schemas/body-cancel.schema.json' with { type: 'json' };
import taskSummary from '../../schemas/task-summary.schema.json' with { type: 'json' };
import taskEvent from '../../schemas/task-event.schema.json' with { type: 'json' };
import task from '../../schemas/task.schema.json' with { type: 'json' };

/** Every protocol schema, keyed by file name without `.schema.json`. */
export const PROTOCOL_SCHEMAS = {
  common, manifest, 'body-register': bodyRegister, 'body-request': bodyRequest, 'body-result': bodyResult,
  'body-receipt': bodyReceipt, 'body-message': bodyMessage, 'body-notice': bodyNotice, 'dlq-entry': dlqEntry, envelope, limits, 'discovery-query': discoveryQuery,
  'discovery-entry': discoveryEntry, 'relay-info': relayInfo, 'frame-hello': frameHello, 'frame-auth': frameAuth,
  'frame-welcome': frameWelcome, 'frame-send': frameSend, 'frame-accepted': frameAccepted,
  'frame-deliver': frameDeliver, 'frame-delivered': frameDelivered, 'frame-discover': frameDiscover,
  'frame-discovered': frameDiscovered, 'frame-error': frameError, 'frame-reject': frameReject,
  'frame-working': frameWorking, 'frame-watch': frameWatch, 'frame-watching': frameWatching,
  'frame-task-event': frameTaskEvent, brief, 'body-update': bodyUpdate, 'body-answer': bodyAnswer,
  'body-cancel': bodyCancel, 'task-summary': taskSummary, 'task-event': taskEvent, task,
} as const;

/** Name of a protocol schema. */
export type ProtocolSchemaName = keyof typeof PROTOCOL_SCHEMAS;

const ajv = new Ajv2020({ strict: true, allErrors: false });
for (const schema of Object.values(PROTOCOL_SCHEMAS)) ajv.addSchema(schema as object);

const compiled = new Map<ProtocolSchemaName, ValidateFunction>();

/** The compiled validator of one protocol schema (compiled on first use, then reused). */
export function protocolValidator(name: ProtocolSchemaName): ValidateFunction {
  let validate = compiled.get(name);
  if (validate === undefined) {
    const id = (PROTOCOL_SCHEMAS[name] as { $id: string }).$id;
    validate = ajv.getSchema(id);
    if (validate === undefined) throw new Error(`schema ${name} is not registered`);
    compiled.set(name, validate);
  }
  return validate;
}

/** A one-line, human-readable description of the first ajv error. */
export function describeSchemaErrors(errors: ErrorObject[] | null | undefined): string {
  const first = errors?.[0];
  if (first === undefined) return 'does not match its schema';
  const where = first.instancePath === '' ? '(root)' : first.instancePath;
  const extra = first.keyword === 'additionalProperties'
    ? ` '${String((first.params as { additionalProperty?: unknown }).additionalProperty)}'`
    : '';
  return `${where} ${first.message ?? 'is invalid'}${extra}`;
}
