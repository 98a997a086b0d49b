// All agent-mode cases, in run order (grouped by area).
import { lifecycleCases } from './lifecycle.ts';
import { noticeCases } from './notices.ts';
import { replayCases } from './replay.ts';
import { requestCases } from './requests.ts';
import { robustnessCases } from './robustness.ts';
import { sessionCases } from './session.ts';
import { taskCases } from './tasks.ts';
import type { AgentCase } from './types.ts';
import { verificationCases } from './verification.ts';

/** Every agent-mode case; ids are unique (checked by conformance/test/coverage.test.ts). */
export const agentCases: readonly AgentCase[] = [
  ...sessionCases, ...requestCases, ...verificationCases, ...replayCases, ...robustnessCases, ...noticeCases, ...lifecycleCases, ...taskCases,
];
