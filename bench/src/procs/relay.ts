/**
 * Bench process: runs a Baton relay (`startRelay`) in its own process so that it has its own event loop and
 * core. Args: <data dir> <durability: fsync|normal>.
 */
import { startRelay } from '@baton/relay';
import { toParent } from '../lib/ipc.ts';

const [dataDir, durability] = process.argv.slice(2);
const relay = await startRelay({
  port: 0, dataDir: dataDir!, durability: durability === 'normal' ? 'normal' : 'fsync', logLevel: 'warn',
});
process.on('disconnect', () => void relay.close().finally(() => process.exit(0)));
process.on('SIGTERM', () => void relay.close().finally(() => process.exit(0)));
toParent({ type: 'ready', url: relay.url, did: relay.did });
