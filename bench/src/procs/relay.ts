/**
 * Bench process: runs a Baton relay (`startRelay`) in its own process so that it has its own event loop and
 * core, with the bench limits (`lib/bench-limits.ts`: no rate limiting). Answers `gc` (RSS measurements; fork
 * it with `--expose-gc`). Args: <data dir> <durability: fsync|normal> [verify: default|inline|off].
 *
 * `inline` verifies every signature on the event loop (verifyThreads 0); `off` replaces the Ed25519 backend of
 * this process by one that accepts every signature, for the figure "relay overhead without signature checks"
 * only: no relay option turns verification off.
 */
import { getDefaultBackend, setDefaultBackend } from '@baton/spec';
import { startRelay } from '@baton/relay';
import { BENCH_LIMITS } from '../lib/bench-limits.ts';
import { serveGc, toParent } from '../lib/ipc.ts';

const [dataDir, durability, verify = 'default'] = process.argv.slice(2);
if (verify === 'off') setDefaultBackend({ ...getDefaultBackend(), name: 'bench-accept-all', verify: () => true });
const relay = await startRelay({
  port: 0, dataDir: dataDir!, durability: durability === 'normal' ? 'normal' : 'fsync', logLevel: 'warn',
  limits: BENCH_LIMITS, ...(verify === 'default' ? {} : { verifyThreads: 0 }),
});
process.on('disconnect', () => void relay.close().finally(() => process.exit(0)));
process.on('SIGTERM', () => void relay.close().finally(() => process.exit(0)));
serveGc();
toParent({ type: 'ready', url: relay.url, did: relay.did });
