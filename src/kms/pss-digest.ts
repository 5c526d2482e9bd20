import { constants, createHash, privateDecrypt, publicEncrypt, timingSafeEqual, type KeyObject } from 'node:crypto';
import { randomBytesFromPool } from './random-pool';

/**
 * RSASSA-PSS over a digest the caller computed (RFC 8017 §8.1, EMSA-PSS §9.1): Node signs PSS only over a whole
 * message, and okms-cli always sends a digest. MGF1 with the same hash, salt as long as the hash — what Node's
 * RSA_PSS_SALTLEN_DIGEST makes of a message, so both paths give signatures either verifier accepts.
 */
type Hash = 'sha256' | 'sha384' | 'sha512';

function mgf1(hash: Hash, seed: Buffer, length: number): Buffer {
  const blocks: Buffer[] = [];
  let produced = 0;
  for (let counter = 0; produced < length; counter += 1) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    const block = createHash(hash).update(seed).update(c).digest();
    blocks.push(block);
    produced += block.length;
  }
  return Buffer.concat(blocks).subarray(0, length);
}

const modulusBits = (key: KeyObject): number => key.asymmetricKeyDetails!.modulusLength!;

/** M' = 8 zero bytes ‖ mHash ‖ salt; H = Hash(M'); DB = PS ‖ 0x01 ‖ salt; EM = (DB ⊕ MGF(H)) ‖ H ‖ 0xbc. */
function encode(hash: Hash, digest: Buffer, salt: Buffer, emBits: number): Buffer {
  const emLen = Math.ceil(emBits / 8);
  const h = createHash(hash).update(Buffer.alloc(8)).update(digest).update(salt).digest();
  const db = Buffer.concat([Buffer.alloc(emLen - salt.length - h.length - 2), Buffer.from([1]), salt]);
  const masked = mgf1(hash, h, db.length).map((byte, i) => byte ^ db[i]!);
  masked[0]! &= 0xff >> (8 * emLen - emBits);
  return Buffer.concat([Buffer.from(masked), h, Buffer.from([0xbc])]);
}

export function signPssDigest(hash: Hash, key: KeyObject, digest: Buffer): Buffer {
  const bits = modulusBits(key);
  const em = encode(hash, digest, randomBytesFromPool(digest.length), bits - 1);
  // The raw RSA private operation (what RSASP1 is) over EM, left-padded to the modulus length.
  const k = Math.ceil(bits / 8);
  return privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, Buffer.concat([Buffer.alloc(k - em.length), em]));
}

export function verifyPssDigest(hash: Hash, key: KeyObject, digest: Buffer, signature: Buffer): boolean {
  const bits = modulusBits(key);
  const k = Math.ceil(bits / 8);
  if (signature.length !== k) return false;
  let m: Buffer;
  try {
    m = publicEncrypt({ key, padding: constants.RSA_NO_PADDING }, signature); // RSAVP1: s^e mod n
  } catch {
    return false; // s ≥ n
  }
  const emBits = bits - 1;
  const emLen = Math.ceil(emBits / 8);
  if (m.subarray(0, k - emLen).some((byte) => byte !== 0)) return false;
  const em = m.subarray(k - emLen);
  const hLen = digest.length;
  if (emLen < 2 * hLen + 2 || em[emLen - 1] !== 0xbc) return false;
  const maskedDb = em.subarray(0, emLen - hLen - 1);
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  if ((maskedDb[0]! & ~(0xff >> (8 * emLen - emBits)) & 0xff) !== 0) return false;
  const db = Buffer.from(mgf1(hash, h, maskedDb.length).map((byte, i) => byte ^ maskedDb[i]!));
  db[0]! &= 0xff >> (8 * emLen - emBits);
  const separator = emLen - 2 * hLen - 2;
  if (db.subarray(0, separator).some((byte) => byte !== 0) || db[separator] !== 1) return false;
  const salt = db.subarray(separator + 1);
  const expected = createHash(hash).update(Buffer.alloc(8)).update(digest).update(salt).digest();
  return timingSafeEqual(expected, h);
}
