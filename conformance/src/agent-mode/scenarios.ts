// The adapter contract of agent mode (conformance/ADAPTERS.md explains it): environment variables, scenario
// names, the capability each scenario registers, and the manifests the suite expects and probes.
import { validateAgainstSchema } from '@baton/spec';

/** Scripted behaviours an adapter implements, selected by BATON_SCENARIO. */
export type Scenario = 'echo' | 'fail' | 'silent' | 'crash' | 'ask';

/** Every scenario name. */
export const SCENARIOS: readonly Scenario[] = ['echo', 'fail', 'silent', 'crash', 'ask'];

/** Environment variables the suite sets when it starts the adapter. */
export const ENV = {
  /** `ws://127.0.0.1:<port>/v1/ws`: the suite's fake relay. */
  url: 'BATON_RELAY_URL',
  /** One of {@link SCENARIOS}. */
  scenario: 'BATON_SCENARIO',
  /** base64url (no padding) of the 32-byte Ed25519 seed; the adapter derives its did:key from it. */
  secret: 'BATON_AGENT_SECRET',
  /** The capability name to register and serve. */
  capability: 'BATON_CAPABILITY',
} as const;

/** Capability name per scenario (the value of BATON_CAPABILITY). */
export const CAPABILITY: Readonly<Record<Scenario, string>> = {
  echo: 'conformance.echo',
  fail: 'conformance.fail',
  silent: 'conformance.silent',
  crash: 'conformance.crash',
  ask: 'conformance.ask',
};

/** The error code the suite asks the `fail` scenario to answer with (a registry code no library uses by default). */
export const FAIL_CODE = 'FORBIDDEN';

/** Input / output pairs a manifest's schemas must accept and reject, per scenario. */
interface SchemaProbe {
  inputOk: unknown[];
  inputBad: unknown[];
  outputOk: unknown[];
  outputBad: unknown[];
}

const TEXT_PROBE: SchemaProbe = {
  inputOk: [{ text: 'hello' }, { text: '' }],
  inputBad: [{}, { text: 42 }, 'hello', null],
  outputOk: [{ text: 'hello' }],
  outputBad: [{}, { text: 42 }],
};

/** What the manifests of each scenario must accept and reject (silent, crash and ask share echo's contract). */
export const PROBES: Readonly<Record<Scenario, SchemaProbe>> = {
  echo: TEXT_PROBE,
  silent: TEXT_PROBE,
  crash: TEXT_PROBE,
  ask: TEXT_PROBE,
  fail: { inputOk: [{ code: FAIL_CODE }], inputBad: [{}, { code: 7 }], outputOk: [], outputBad: [] },
};

/**
 * Checks a registered manifest's schemas against the scenario contract.
 * @returns null when it conforms, else a description of the first mismatch.
 */
export function manifestProblem(scenario: Scenario, manifest: { input_schema?: unknown; output_schema?: unknown }): string | null {
  const p = PROBES[scenario];
  const probe = (schema: unknown, values: unknown[], ok: boolean, what: string): string | null => {
    for (const v of values) {
      const problem = validateAgainstSchema(schema as Record<string, unknown>, v);
      if ((problem === null) !== ok) return `${what} ${ok ? 'rejects' : 'accepts'} ${JSON.stringify(v)}`;
    }
    return null;
  };
  return probe(manifest.input_schema, p.inputOk, true, 'input_schema')
    ?? probe(manifest.input_schema, p.inputBad, false, 'input_schema')
    ?? probe(manifest.output_schema, p.outputOk, true, 'output_schema')
    ?? probe(manifest.output_schema, p.outputBad, false, 'output_schema');
}
