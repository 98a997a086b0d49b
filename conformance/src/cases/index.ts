// All relay-mode cases, in run order (grouped by area; the delivery-guarantee and task-timer areas last, they take longest).
import { deadLetterCases } from './dead-letters.ts';
import { deliveryCases } from './delivery.ts';
import { discoveryCases } from './discovery.ts';
import { dlqCases } from './dlq.ts';
import { encodingCases } from './encoding.ts';
import { envelopeCases } from './envelopes.ts';
import { flowControlCases } from './flow-control.ts';
import { handshakeCases } from './handshake.ts';
import { limitCases } from './limits.ts';
import { receiptCases } from './receipts.ts';
import { replayCases } from './replay-expiry.ts';
import { routingCases } from './routing.ts';
import { signatureCases } from './signatures.ts';
import { taskCancelCases } from './tasks-cancel.ts';
import { taskDelegationCases } from './tasks-delegation.ts';
import { taskLifecycleCases } from './tasks-lifecycle.ts';
import { taskObserveCases } from './tasks-observe.ts';
import { taskTimerCases } from './tasks-timers.ts';
import type { ConformanceCase } from './types.ts';

/** Every relay-mode case; ids are unique (checked by conformance/test/coverage.test.ts). */
export const relayCases: readonly ConformanceCase[] = [
  ...handshakeCases, ...encodingCases, ...envelopeCases, ...signatureCases, ...replayCases,
  ...limitCases, ...discoveryCases, ...routingCases, ...receiptCases, ...deliveryCases, ...deadLetterCases, ...flowControlCases,
  ...dlqCases, ...taskLifecycleCases, ...taskCancelCases, ...taskDelegationCases, ...taskObserveCases, ...taskTimerCases,
];
