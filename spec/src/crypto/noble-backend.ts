/**
 * The portable Ed25519 backend on `@noble/ed25519` (audited, pure JS; runs in browsers). Verification applies
 * the shared strict prechecks and then the cofactorless equation [S]B = R + [k]A (SPEC SIG-3).
 */
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { GROUP_ORDER, littleEndianToBigInt, strictPrecheck, type Ed25519Backend } from './backend.ts';
import { concatBytes } from '../encoding/bytes.ts';

ed.hashes.sha512 = sha512;

/** `@noble/ed25519` backend: about 800 verifications/s per core; the reference for every other backend. */
export const nobleBackend: Ed25519Backend = {
  name: 'noble',
  getPublicKey: (secretKey) => ed.getPublicKey(secretKey),
  sign: (secretKey, message) => ed.sign(message, secretKey),
  verify(publicKey, message, signature) {
    if (publicKey.length !== 32 || !strictPrecheck(publicKey, signature)) return false;
    try {
      const r = signature.subarray(0, 32);
      const A = ed.Point.fromBytes(publicKey, false);
      const R = ed.Point.fromBytes(r, false);
      const s = littleEndianToBigInt(signature.subarray(32));
      const k = littleEndianToBigInt(sha512(concatBytes(r, publicKey, message))) % GROUP_ORDER;
      const SB = ed.Point.BASE.multiply(s, false);
      const RkA = R.add(A.multiply(k, false));
      return SB.equals(RkA);
    } catch {
      return false;
    }
  },
};
