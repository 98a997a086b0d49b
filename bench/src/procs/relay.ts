/**
 * Bench process: runs a Baton relay (`startRelay`) in its own process so that it has its own event loop and
 * core, with the bench limits (`lib/bench-limits.ts`: no rate limiting). Answers `gc` (RSS measurements; fork
 * it with `--expose-gc`). Args: <data dir> <durability: fsync|normal>.
 */
import { startRelay } from '@baton/relay';
import { BENCH_LIMITS } from '../lib/bench-limits.ts';
import { serveGc, toParent } from '../lib/ipc.ts';

const [dataDir, durability] = process.argv.slice(2);
const relay = await startRelay({
  port: 0, dataDir: dataDir!, durability: durability === 'normal' ? 'normal' : 'fsync', logLevel: 'warn',
  limits: BENCH_LIMITS,
});
process.on('disconnect', () => void relay.close().finally(() => process.exit(0)));
process.on('SIGTERM', () => void relay.close().finally(() => process.exit(0)));
serveGc();
toParent({ type: 'ready', url: relay.url, did: relay.did });
