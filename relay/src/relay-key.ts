/**
 * The relay's own Ed25519 identity (its did:key, announced in `hello` and `/.well-known/baton`), kept in
 * `relay-key.json` in the data directory: created with mode 0600 on first start, reused afterwards.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeKeyFile, encodeKeyFile, generateKeyPair, type KeyPair } from '@baton/spec';

/** File name of the relay key inside the data directory. */
export const RELAY_KEY_FILE = 'relay-key.json';

/**
 * Loads the relay key from `dataDir`, creating it (and the directory) when missing.
 * @throws BatonError INVALID_IDENTITY when the file exists but is not a valid key file.
 */
export function loadOrCreateRelayKey(dataDir: string): KeyPair {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, RELAY_KEY_FILE);
  let text: string | undefined;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (text !== undefined) return decodeKeyFile(text);
  const key = generateKeyPair();
  try {
    writeFileSync(path, encodeKeyFile(key), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process created it between our read and write: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return decodeKeyFile(readFileSync(path, 'utf8'));
    throw err;
  }
  return key;
}
