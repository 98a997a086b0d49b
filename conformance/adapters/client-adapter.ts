// The minimal Baton conformance adapter, built on @baton/client: the worked example of ADAPTERS.md.
// Run the agent-mode suite against it with:
//   npx baton-conformance agent --cmd "node conformance/adapters/client-adapter.ts"
// It reads the contract's environment, registers the scenario's capability and answers requests as the
// scenario says. Everything the protocol asks of an agent (verify, receipt, dedupe, expiry, input schema
// validation, signed results) is done by the client library; the adapter only supplies behaviour.
import { BatonError, connect, type CapabilityManifest, type ErrorCode, type HandlerContext } from '@baton/client';
import { base64urlDecode, keyPairFromSecret } from '@baton/spec';

/** Reads a required environment variable or exits with a message (exit code 2). */
function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    console.error(`client-adapter: ${name} is not set`);
    process.exit(2);
  }
  return value;
}

const url = env('BATON_RELAY_URL');
const scenario = env('BATON_SCENARIO');
const capability = env('BATON_CAPABILITY');
// The secret is the 32-byte Ed25519 seed; the did:key is derived from it (it never leaves this process).
const key = keyPairFromSecret(base64urlDecode(env('BATON_AGENT_SECRET')));

/** Input/output schemas of the contract: echo-like scenarios take and return {text}; fail takes {code}. */
const text = { type: 'object', required: ['text'], properties: { text: { type: 'string' } }, additionalProperties: false };
const code = { type: 'object', required: ['code'], properties: { code: { type: 'string' } } };
const manifest: CapabilityManifest = {
  name: capability,
  version: '1.0.0',
  description: `conformance ${scenario} capability`,
  input_schema: scenario === 'fail' ? code : text,
  output_schema: scenario === 'fail' ? { type: 'object' } : text,
  timeout_ms: 5_000,
};

/** The handler per scenario. The client validated `input` against input_schema before calling it. */
function handler(input: unknown, ctx: HandlerContext): unknown {
  switch (scenario) {
    case 'echo':
      return { text: (input as { text: string }).text };
    case 'fail':
      // A BatonError becomes an error result with its code (TYP-3).
      throw new BatonError((input as { code: string }).code as ErrorCode, 'failing as the conformance suite asked');
    case 'silent':
      return new Promise(() => {}); // never answers
    case 'crash':
      process.exit(3); // dies mid-request: the relay must redeliver after the restart
    case 'ask':
      // One clarification (update awaiting-input, TSK-5); the answer (TSK-6) is the output. After a restart the
      // client resumes from the answer's context and askClarification() resolves at once (TSK-8).
      return ctx.askClarification({ text: `what should I do with "${(input as { text: string }).text}"?`, schema: { type: 'string' } })
        .then((answer) => ({ text: String(answer) }));
    default:
      throw new BatonError('UNSUPPORTED_CAPABILITY', `unknown scenario ${scenario}`);
  }
}

const agent = await connect({ url, key });
agent.handle(capability, handler);
await agent.register(manifest);
console.log(`client-adapter: ${agent.did} registered ${capability} (${scenario})`);

// Exit on SIGTERM (the suite stops the adapter after each case) and when the relay goes away.
process.once('SIGTERM', () => {
  setTimeout(() => process.exit(0), 500).unref(); // do not wait long for the close handshake
  void agent.close().finally(() => process.exit(0));
});
void agent.closed.then((info) => {
  console.log(`client-adapter: connection closed (${info.code} ${info.reason})`);
  process.exit(0);
});
