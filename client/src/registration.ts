/**
 * This agent's registration (SPEC TYP-1, MAN-1, MAN-2): the set of manifests it offers and its handle, sent as
 * one signed `register` envelope to the relay each time a manifest is added or replaced. Registrations are
 * serialized (one at a time, in call order) and a refused one leaves the previous set in place.
 */
import { BatonError, createEnvelope, validateRegisterBody } from '@baton/spec';
import type { AcceptedFrame, CapabilityManifest, Envelope, KeyPair } from '@baton/spec';
import type { WaitOptions } from './waiters.ts';

/** Sends an envelope and waits for `accepted` (or throws the relay's code). */
export type SendEnvelope = (env: Envelope, wait: WaitOptions) => Promise<AcceptedFrame>;

/** The manifests and handle of one agent, and the `register` envelopes that publish them. */
export class Registration {
  readonly #key: KeyPair;
  readonly #relay: string;
  readonly #send: SendEnvelope;
  readonly #manifests = new Map<string, CapabilityManifest>();
  #handle: string | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  /** @param relay the relay did: `register` envelopes are addressed to it (RTE-4). */
  constructor(key: KeyPair, relay: string, send: SendEnvelope) {
    this.#key = key;
    this.#relay = relay;
    this.#send = send;
  }

  /** The manifests currently registered (in registration order). */
  get manifests(): CapabilityManifest[] {
    return [...this.#manifests.values()];
  }

  /** The registered manifest named `name`, if any. */
  manifest(name: string): CapabilityManifest | undefined {
    return this.#manifests.get(name);
  }

  /**
   * Adds (or replaces, by name) a copy of `manifest` and sends the whole set, with `handle` (or the previous
   * handle): changing the object afterwards changes nothing registered; register it again instead.
   * @throws BatonError `INVALID_MANIFEST` (checked locally, nothing sent), the relay's code (`HANDLE_TAKEN`,
   *   `INVALID_MANIFEST`, ...), `TIMEOUT`, `ABORTED`, `CONNECTION_CLOSED`.
   */
  register(manifest: CapabilityManifest, handle: string | undefined, wait: WaitOptions): Promise<Envelope> {
    const run = this.#queue.then(() => this.#register(manifest, handle ?? this.#handle, wait));
    this.#queue = run.catch(() => {});
    return run;
  }

  async #register(given: CapabilityManifest, handle: string | undefined, wait: WaitOptions): Promise<Envelope> {
    const previous = new Map(this.#manifests);
    // A copy: what this agent validates against (MAN-4) stays what it registered, whatever the caller does with
    // its object afterwards (compiled schemas are cached per object, see @baton/spec's user-schemas.ts).
    let manifest: CapabilityManifest;
    try {
      manifest = structuredClone(given);
    } catch (error) {
      throw new BatonError('INVALID_MANIFEST', `the manifest is not JSON data: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.#manifests.set(manifest.name, manifest);
    const body = { ...(handle !== undefined ? { handle } : {}), manifests: [...this.#manifests.values()] };
    try {
      const check = validateRegisterBody(body);
      if (!check.ok) throw new BatonError('INVALID_MANIFEST', check.message);
      const env = createEnvelope(this.#key, { type: 'register', to: this.#relay, body: body as unknown as Record<string, unknown> });
      await this.#send(env, { ...wait, what: `accepted for register ${env.id}` });
      this.#handle = handle;
      return env;
    } catch (error) {
      this.#manifests.clear();
      for (const [name, m] of previous) this.#manifests.set(name, m);
      throw error;
    }
  }
}
