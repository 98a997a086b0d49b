// Requirements relay mode cannot check over the wire, each with the reason. The coverage test
// (conformance/test/coverage.test.ts) fails when a MUST requirement is neither covered by a case nor listed.

/** Requirement ID -> one-line reason why relay mode cannot check it. */
export const NOT_TESTABLE_IN_RELAY_MODE: Readonly<Record<string, string>> = {
  'MAN-4': 'schema validation of inputs and outputs is done by the agents, not the relay (agent mode)',
  'RPL-4': 'recipient-side deduplication and expiry handling: agent mode',
  'RPL-5': 'recipient-side dropping of bad deliveries: agent mode',
  'ID-4': 'secret keys stay in the agent; nothing on the wire shows it',
  'CAN-3': 'NaN, infinities and lone surrogates cannot be signed with a JCS implementation; an agent-side rule',
  'ACK-1': 'durability across a relay crash needs control over the relay process (the project tests it with real SQLite)',
  'CON-8': 'the heartbeat interval (default 30 s) is too long for a suite run; covered by the relay\'s own tests',
  'ADM-1': 'the default policy depends on the bind address, which the suite cannot change over the wire',
  'ADM-2': 'needs a relay started with an allowlist that excludes the suite\'s keys; the project tests it in relay/test/handshake.test.ts (a --allowlist-mode run is future work)',
};
