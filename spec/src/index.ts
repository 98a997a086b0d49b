/**
 * `@baton/spec`: the Baton protocol v1 as code - types generated from the JSON Schemas, RFC 8785
 * canonicalization, strict Ed25519 signing and verification, did:key identities, envelope and frame
 * validation in the order SPEC.md fixes, the handshake, and the error-code registry.
 * See spec/SPEC.md for the normative text.
 */
export * from './generated/types.ts';
export { PROTOCOL_VERSION, SUPPORTED_VERSIONS, DEFAULT_LIMITS, ENVELOPE_SIGNING_PREFIX, AUTH_SIGNING_PREFIX, HTTP_SIGNING_PREFIX } from './constants.ts';
export { ERROR_CODES, isErrorCode, type ErrorCode, type ErrorCodeInfo } from './errors/registry.ts';
export { BatonError, isBatonError } from './errors/baton-error.ts';
export { base64urlEncode, base64urlDecode, toHex, fromHex, utf8 } from './encoding/bytes.ts';
export { canonicalize } from './json/canonicalize.ts';
export { parseJson } from './json/parse-json.ts';
export type { Ed25519Backend } from './crypto/backend.ts';
export { nobleBackend } from './crypto/noble-backend.ts';
export { verifySignature, sign, getDefaultBackend, setDefaultBackend, availableBackends } from './crypto/signature.ts';
export { publicKeyToDid, didToPublicKey, isValidDid } from './identity/did-key.ts';
export { generateKeyPair, keyPairFromSecret, encodeKeyFile, decodeKeyFile, type KeyPair } from './identity/keys.ts';
export {
  newEnvelopeId, envelopeSigningInput, envelopeDigest, digestOfSigningInput, signEnvelope, createEnvelope,
  verifyEnvelope, withoutSignature, type UnsignedEnvelope, type EnvelopeFields,
} from './envelope/envelope.ts';
export {
  validateEnvelope, checkEnvelope, precheckEnvelope, completeEnvelopeCheck,
  type CheckResult, type CheckedEnvelope, type PrecheckedEnvelope, type EnvelopeCheckContext,
} from './envelope/check.ts';
export { validateFrame, parseFrame, FRAME_OPS, type Frame, type ClientFrame, type RelayFrame, type FrameOp } from './frames/frames.ts';
export { authSigningInput, signAuth, verifyAuth, type AuthPayload } from './frames/handshake.ts';
export {
  httpAuthSigningInput, signHttpRequest, verifyHttpRequest, type HttpAuthPayload, type HttpRequestFacts,
} from './frames/http-auth.ts';
export {
  validateRegisterBody, checkRegisterBodyShape, capabilityTarget, parseTarget, type Target, type CompileAdmission, type RegisterCheckResult,
} from './manifest/register.ts';
export { checkJsonSchema, checkValue, validateAgainstSchema, uncompiledCost, type SchemaRefusal } from './schema/user-schemas.ts';
export { compileLinearRegExp, MAX_PATTERN_SIZE, PATTERN_STEPS_PER_UNIT, type LinearRegExp } from './schema/linear-regexp.ts';
export { patternSize } from './schema/pattern-size.ts';
export { schemaCompileCost, MAX_REGISTRATION_COST, SCHEMA_BASE_COST, PATTERN_ATOMS_PER_UNIT } from './schema/compile-cost.ts';
export { PROTOCOL_SCHEMAS, type ProtocolSchemaName } from './schema/protocol-validators.ts';
export {
  applyTaskCause, isTerminal, TASK_STATES,
  type TaskState, type TaskFacts, type TaskCause, type TaskStep, type DeadLetterNoticeBody, type TaskNoticeBody, type TaskNoticeEvent,
} from './task/state-machine.ts';
export { defaultIdempotencyKey, type DelegationKeyInput } from './task/idempotency.ts';
