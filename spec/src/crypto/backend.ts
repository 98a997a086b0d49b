/**
 * The Ed25519 backend interface and the strict checks every backend shares (SPEC SIG-3 (a)-(e), (g)).
 *
 * A backend performs raw RFC 8032 operations; `strictPrecheck` runs first so that every backend rejects the
 * same malleable and weak inputs, and each backend then applies the cofactorless equation (SIG-3 (f)).
 */
import * as ed from '@noble/ed25519';
import { LruCache } from '../util/lru-cache.ts';

/** A raw Ed25519 implementation. Keys: 32-byte seed (secret) and 32-byte encoded point (public). */
export interface Ed25519Backend {
  /** Backend name, for reports and benchmarks (`'noble'`, `'node:crypto'`). */
  readonly name: string;
  /** RFC 8032 section 5.1.5: the public key of a 32-byte seed. */
  getPublicKey(secretKey: Uint8Array): Uint8Array;
  /** RFC 8032 section 5.1.6: a 64-byte signature of `message`. */
  sign(secretKey: Uint8Array, message: Uint8Array): Uint8Array;
  /** Strict verification (SPEC SIG-3): false on any malformed, malleable, weak or wrong input; never throws. */
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
}

/** The group order L = 2^252 + 27742317777372353535851937790883648493 (RFC 8032 section 5.1). */
export const GROUP_ORDER = 2n ** 252n + 27742317777372353535851937790883648493n;

/** The unsigned integer encoded little-endian in `bytes` (RFC 8032 section 5.1.2 scalars and hashes). */
export function littleEndianToBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i] ?? 0);
  return value;
}

/** SIG-3 (b): S < L. Fast path on the top byte; L's top byte is 0x10. */
export function isScalarCanonical(s: Uint8Array): boolean {
  const top = s[31] ?? 0xff;
  if (top < 0x10) return true;
  if (top > 0x10) return false;
  return littleEndianToBigInt(s) < GROUP_ORDER;
}

/**
 * SIG-3 (c)/(d), the byte-level part: y < p = 2^255 - 19, and not (x = 0 with the sign bit set), i.e. not
 * y in {1, p - 1} with the top bit set. Whether an x exists for y is decided by decoding.
 */
export function isPointEncodingCanonical(p: Uint8Array): boolean {
  if (p.length !== 32) return false;
  const sign = (p[31] ?? 0) & 0x80;
  const top = (p[31] ?? 0) & 0x7f;
  // y >= p  <=>  top == 0x7f, bytes 1..30 == 0xff, byte 0 >= 0xed
  if (top === 0x7f) {
    let allFF = true;
    for (let i = 1; i < 31; i++) if (p[i] !== 0xff) { allFF = false; break; }
    if (allFF && (p[0] ?? 0) >= 0xed) return false;
    // y = p - 1 = 0x7fff...ffec
    if (allFF && p[0] === 0xec && sign !== 0) return false;
  }
  if (sign !== 0 && top === 0 && p[0] === 1) {
    let restZero = true;
    for (let i = 1; i < 31; i++) if (p[i] !== 0) { restZero = false; break; }
    if (restZero) return false; // y = 1 with sign bit: x = 0 encoded as negative
  }
  return true;
}

/**
 * The canonical encodings of the 8 points of small order (order dividing 8): the identity, (0, -1), the two
 * points of order 4 and the four of order 8 (SPEC SIG-3 (e), (g)).
 */
export const SMALL_ORDER_ENCODINGS: readonly string[] = [
  '0100000000000000000000000000000000000000000000000000000000000000', 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000', '0000000000000000000000000000000000000000000000000000000000000080',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
];

const smallOrderBytes = SMALL_ORDER_ENCODINGS.map((hex) => Uint8Array.from(hex.match(/../g) ?? [], (b) => parseInt(b, 16)));

/**
 * SIG-3 (g): `p` (a canonical 32-byte encoding) is one of the 8 small-order points. An honest R differs from
 * all 8 within its first byte or two, so this costs a few comparisons.
 */
export function isSmallOrderEncoding(p: Uint8Array): boolean {
  outer: for (const s of smallOrderBytes) {
    for (let i = 0; i < 32; i++) if (p[i] !== s[i]) continue outer;
    return true;
  }
  return false;
}

/** Verdicts kept (least recently used evicted): ~80 bytes each; a miss costs a point decompression. */
const publicKeyVerdicts = new LruCache<string, boolean>(16_384);

/**
 * SIG-3 (d)/(e): the public key is a canonical encoding of a curve point that is not of small order.
 * The verdict is cached per key (keys are few; signatures are many).
 */
export function isAcceptablePublicKey(publicKey: Uint8Array): boolean {
  if (publicKey.length !== 32) return false;
  const cacheKey = String.fromCharCode(...publicKey);
  const cached = publicKeyVerdicts.get(cacheKey);
  if (cached !== undefined) return cached;
  let verdict = false;
  if (isPointEncodingCanonical(publicKey)) {
    try {
      verdict = !ed.Point.fromBytes(publicKey, false).isSmallOrder();
    } catch {
      verdict = false;
    }
  }
  publicKeyVerdicts.set(cacheKey, verdict);
  return verdict;
}

/** SIG-3 (a)-(e), (g): every check that does not need the message. */
export function strictPrecheck(publicKey: Uint8Array, signature: Uint8Array): boolean {
  return (
    signature.length === 64 &&
    isScalarCanonical(signature.subarray(32)) &&
    isPointEncodingCanonical(signature.subarray(0, 32)) &&
    !isSmallOrderEncoding(signature.subarray(0, 32)) &&
    isAcceptablePublicKey(publicKey)
  );
}
