// Reconnection through real sockets: a relay restarted on the same port and data dir, killed agent sockets,
// refused reconnections. Pending operations survive a reconnect, unanswered envelopes are resent byte-identical,
// the mailbox resumes in seq order, and the dedupe memory spans connections so the application sees each
// envelope once. Fatal closes, `maxAttempts` and `close()` end the agent for good.
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '@baton/spec';
import { connect } from '../src/index.ts';
import type { Agent } from '../src/index.ts';
import { startFakeRelay } from './fake-relay.ts';
import type { FakeRelay } from './fake-relay.ts';
import { FaultySockets, TraceRecorder, codeOf, eventually, manifest, quietLogger, startHarness, textSchema } from './helpers.ts';
import type { Harness } from './helpers.ts';

let harness: Harness | undefined;
let fake: FakeRelay | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
  await fake?.close();
  fake = undefined;
});

/** Collects the `n` of every message an agent's application receives. */
function inbox(agent: Agent): number[] {
  const got: number[] = [];
  agent.onMessage((body) => { got.push(body['n'] as number); });
  return got;
}

describe('reconnect after a relay restart', () => {
  it('reconnects by itself and completes a request issued while the relay was down', async () => {
    harness = await startHarness();
    const provider = await harness.agent();
    provider.handle('text.upper', async (input) => ({ text: (input as { text: string }).text.toUpperCase() }));
    await provider.register(manifest('text.upper', textSchema, textSchema));
    const trace = new TraceRecorder();
    const caller = await harness.agent({ onTrace: trace.onTrace, discoveryCacheMs: 0 });
    const target = { capability: 'text.upper', agent: provider.did };
    expect(await caller.request(target, { text: 'before' })).toEqual({ text: 'BEFORE' });
    const firstSession = caller.session;

    await harness.stopRelay();
    await eventually(() => caller.state === 'reconnecting' && provider.state === 'reconnecting', 'both agents reconnecting');
    // Discovery, the request and its result all wait for the relay to come back.
    const during = caller.request(target, { text: 'during' }, { timeoutMs: 20_000 });
    await harness.startRelay();

    expect(await during).toEqual({ text: 'DURING' });
    expect(caller.state).toBe('open');
    expect(caller.session).not.toBe(firstSession);
    expect(trace.events.some((e) => e.kind === 'disconnected')).toBe(true);
    const reconnected = await trace.next((e) => e.kind === 'reconnected');
    expect(reconnected.kind === 'reconnected' && reconnected.session).toBe(caller.session);
  });

  it('resends an envelope whose accepted was lost, byte-identical, and the recipient application sees it once', async () => {
    harness = await startHarness();
    // The receiver's first receipts are lost too, so the relay must deliver the message again after the restart.
    const receiverFaults = new FaultySockets();
    receiverFaults.dropOut = (f) => f.env?.type === 'receipt';
    const receiverTrace = new TraceRecorder();
    const receiver = await harness.agent({ WebSocket: receiverFaults.WebSocket, onTrace: receiverTrace.onTrace });
    const got = inbox(receiver);
    const senderFaults = new FaultySockets();
    senderFaults.dropIn = (f) => f.op === 'accepted';
    const sender = await harness.agent({ WebSocket: senderFaults.WebSocket });

    const sending = sender.send(receiver.did, { n: 1 }, { timeoutMs: 20_000 });
    await eventually(() => got.length === 1, 'the message at the receiver'); // so the relay did store it
    await harness.stopRelay();
    senderFaults.dropIn = () => false;
    receiverFaults.dropOut = () => false;
    await harness.startRelay();

    const env = await sending;
    const sends = senderFaults.frames('send', 'message');
    expect(sends).toHaveLength(2);
    expect(sends[1]!.text).toBe(sends[0]!.text);
    expect(sends[0]!.env?.id).toBe(env.id);
    const duplicate = await receiverTrace.next((e) => e.kind === 'duplicate');
    expect(duplicate.kind === 'duplicate' && duplicate.env.id).toBe(env.id);
    await eventually(() => receiverFaults.frames('send', 'receipt').length >= 2, 'the receipt of the redelivery');
    expect(got).toEqual([1]);
  });
});

describe('mailbox resume', () => {
  it('delivers what was sent while the recipient was away after it reconnects, in seq order, once each', async () => {
    harness = await startHarness();
    const faults = new FaultySockets();
    const trace = new TraceRecorder();
    const receiver = await harness.agent({ WebSocket: faults.WebSocket, onTrace: trace.onTrace });
    const got = inbox(receiver);
    const sender = await harness.agent();

    // Message 0 arrives, but its receipt is lost with the connection: it comes again after the reconnect.
    faults.dropOut = (f) => f.env?.type === 'receipt';
    await sender.send(receiver.did, { n: 0 });
    await eventually(() => got.length === 1, 'message 0');
    faults.blocked = true;
    faults.kill();
    await eventually(() => receiver.state === 'reconnecting', 'the receiver reconnecting');
    faults.dropOut = () => false;
    for (let n = 1; n <= 10; n++) await sender.send(receiver.did, { n });
    const before = trace.events.length;
    faults.blocked = false;

    await eventually(() => got.length === 11, 'all 11 messages');
    expect(got).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const after = trace.events.slice(before);
    expect(after[0]?.kind).toBe('reconnected');
    const seqs = after.flatMap((e) => (e.kind === 'received' ? [e.seq] : []));
    expect(seqs).toHaveLength(11);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(after.filter((e) => e.kind === 'duplicate')).toHaveLength(1);
    expect(receiver.state).toBe('open');
  });
});

describe('start-up', () => {
  it('hands messages that waited in the mailbox to the onMessage handler subscribed right after connect()', async () => {
    harness = await startHarness();
    const key = generateKeyPair();
    await (await harness.agent({ key })).close(); // known to the relay, now offline
    const sender = await harness.agent();
    for (let n = 1; n <= 3; n++) await sender.send(key.did, { n });

    const receiver = await harness.agent({ key }); // the mailbox is delivered together with `welcome`
    const got = inbox(receiver);
    await eventually(() => got.length === 3, 'the three waiting messages');
    expect(got).toEqual([1, 2, 3]);
  });
});

describe('when reconnecting stops', () => {
  it('closes for good when maxAttempts reconnections fail, failing pending operations with CONNECTION_CLOSED', async () => {
    harness = await startHarness();
    const faults = new FaultySockets();
    const agent = await harness.agent({ WebSocket: faults.WebSocket, reconnect: { initialDelayMs: 10, maxDelayMs: 20, maxAttempts: 3 } });
    const peer = await harness.agent();
    faults.blocked = true;
    faults.kill();
    await eventually(() => agent.state === 'reconnecting', 'reconnecting');
    const pending = codeOf(agent.send(peer.did, { n: 1 }, { timeoutMs: 10_000 }));
    const info = await agent.closed;
    expect(agent.state).toBe('closed');
    expect(info.errorCode).toBe('CONNECTION_CLOSED');
    expect(await pending).toBe('CONNECTION_CLOSED');
    expect(faults.opened).toBe(1);
  });

  it('close() while reconnecting ends at once and fails pending operations with CONNECTION_CLOSED', async () => {
    harness = await startHarness();
    const faults = new FaultySockets();
    const agent = await harness.agent({ WebSocket: faults.WebSocket });
    faults.blocked = true;
    faults.kill();
    await eventually(() => agent.state === 'reconnecting', 'reconnecting');
    const pending = codeOf(agent.discover({}, { timeoutMs: 10_000 }));
    await agent.close();
    expect(agent.isClosed).toBe(true);
    expect(await pending).toBe('CONNECTION_CLOSED');
  });

  it('does not reconnect with reconnect: false', async () => {
    harness = await startHarness();
    const faults = new FaultySockets();
    const agent = await harness.agent({ WebSocket: faults.WebSocket, reconnect: false });
    faults.kill();
    await agent.closed;
    expect(agent.state).toBe('closed');
    expect(faults.opened).toBe(1);
  });

  it('does not retry after the relay closes with NOT_ADMITTED', async () => {
    fake = await startFakeRelay();
    const agent = await connect({ url: fake.url, key: generateKeyPair(), logger: quietLogger, reconnect: { initialDelayMs: 10 } });
    (await fake.socket).close(1008, 'NOT_ADMITTED');
    const info = await agent.closed;
    expect(info).toEqual({ code: 1008, reason: 'NOT_ADMITTED', errorCode: 'NOT_ADMITTED' });
    expect(agent.state).toBe('closed');
    await new Promise((resolve) => setTimeout(resolve, 50)); // a retry would have connected by now
    expect(fake.connections).toBe(1);
  });
});
