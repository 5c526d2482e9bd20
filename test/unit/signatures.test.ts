import { execFileSync } from 'node:child_process';
import { constants, createHash, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OkmsError } from '../../src/domain/errors';
import { checkAlgorithmFits, signMessage, verifySignature, type SignatureAlgorithm } from '../../src/kms/signatures';

const der = (key: KeyObject, type: 'pkcs8' | 'spki') => key.export({ type, format: 'der' });
const ec = (namedCurve: string) => generateKeyPairSync('ec', { namedCurve });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const KEYS: Record<string, { publicKey: KeyObject; privateKey: KeyObject }> = { ES256: ec('P-256'), ES384: ec('P-384'), ES512: ec('P-521') };
const keyOf = (alg: SignatureAlgorithm) => KEYS[alg] ?? rsa;
const hashOf = (alg: SignatureAlgorithm) => `sha${alg.slice(2)}`;
const message = Buffer.from('the message okms-cli signs');

describe('service-key signatures', () => {
  it.each(['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] as const)('%s of a message verifies here and with Node crypto, and fails on another message', (alg) => {
    const { publicKey, privateKey } = keyOf(alg);
    const signature = signMessage(alg, der(privateKey, 'pkcs8'), message, false);
    expect(verifySignature(alg, der(publicKey, 'spki'), message, signature, false)).toBe(true);
    expect(verifySignature(alg, der(publicKey, 'spki'), Buffer.from('another'), signature, false)).toBe(false);
    const nodeKey = alg.startsWith('ES') ? { key: publicKey, dsaEncoding: 'ieee-p1363' as const } : alg.startsWith('PS') ? { key: publicKey, padding: 6, saltLength: -1 } : publicKey;
    expect(verify(hashOf(alg), message, nodeKey, signature)).toBe(true);
  });

  it.each(['ES256', 'ES384', 'ES512'] as const)('%s is IEEE P1363 (r‖s) of the curve size', (alg) => {
    const signature = signMessage(alg, der(keyOf(alg).privateKey, 'pkcs8'), message, false);
    expect(signature.length).toBe({ ES256: 64, ES384: 96, ES512: 132 }[alg]);
  });

  it.each(['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512'] as const)('%s of a precomputed digest (what okms-cli sends) equals a signature of the message', (alg) => {
    const { publicKey, privateKey } = keyOf(alg);
    const digest = createHash(hashOf(alg)).update(message).digest();
    const signature = signMessage(alg, der(privateKey, 'pkcs8'), digest, true);
    // Node verifies it as a signature of the message itself: the digest path hashes nothing twice.
    const nodeKey = alg.startsWith('ES') ? { key: publicKey, dsaEncoding: 'ieee-p1363' as const } : publicKey;
    expect(verify(hashOf(alg), message, nodeKey, signature)).toBe(true);
    expect(verifySignature(alg, der(publicKey, 'spki'), digest, signature, true)).toBe(true);
    expect(verifySignature(alg, der(publicKey, 'spki'), message, sign(hashOf(alg), message, alg.startsWith('ES') ? { key: privateKey, dsaEncoding: 'ieee-p1363' } : privateKey), false)).toBe(true);
  });

  it('RS256 of a digest is deterministic PKCS#1 v1.5: byte for byte what Node signs for the message', () => {
    const digest = createHash('sha256').update(message).digest();
    expect(signMessage('RS256', der(rsa.privateKey, 'pkcs8'), digest, true)).toEqual(sign('sha256', message, rsa.privateKey));
  });

  it.each(['PS256', 'PS384', 'PS512'] as const)('%s of a precomputed digest (EMSA-PSS) verifies with Node as a PSS signature of the message, and Node\'s verifies here', (alg) => {
    const digest = createHash(hashOf(alg)).update(message).digest();
    const signature = signMessage(alg, der(rsa.privateKey, 'pkcs8'), digest, true);
    expect(signature).toHaveLength(256);
    const pss = { key: rsa.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
    expect(verify(hashOf(alg), message, pss, signature)).toBe(true);
    expect(verifySignature(alg, der(rsa.publicKey, 'spki'), digest, signature, true)).toBe(true);
    const nodes = sign(hashOf(alg), message, { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST });
    expect(verifySignature(alg, der(rsa.publicKey, 'spki'), digest, nodes, true)).toBe(true);
    // Randomised (a fresh salt each time), and bound to the digest and the signature's every byte.
    expect(signMessage(alg, der(rsa.privateKey, 'pkcs8'), digest, true).equals(signature)).toBe(false);
    const flipped = Buffer.from(signature);
    flipped[100]! ^= 1;
    expect(verifySignature(alg, der(rsa.publicKey, 'spki'), digest, flipped, true)).toBe(false);
    expect(verifySignature(alg, der(rsa.publicKey, 'spki'), createHash(hashOf(alg)).update('another').digest(), signature, true)).toBe(false);
    expect(verifySignature(alg, der(rsa.publicKey, 'spki'), digest, Buffer.alloc(256, 0xff), true)).toBe(false); // ≥ n
  });

  it('a PS256 digest signature verifies with openssl pkeyutl -verify -pkeyopt rsa_padding_mode:pss', () => {
    const work = mkdtempSync(join(tmpdir(), 'okmsd-pss-'));
    const digest = createHash('sha256').update(message).digest();
    writeFileSync(join(work, 'digest'), digest);
    writeFileSync(join(work, 'sig'), signMessage('PS256', der(rsa.privateKey, 'pkcs8'), digest, true));
    writeFileSync(join(work, 'pub.pem'), rsa.publicKey.export({ type: 'spki', format: 'pem' }));
    const out = execFileSync('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', join(work, 'pub.pem'), '-in', join(work, 'digest'), '-sigfile', join(work, 'sig'),
      '-pkeyopt', 'digest:sha256', '-pkeyopt', 'rsa_padding_mode:pss', '-pkeyopt', 'rsa_pss_saltlen:digest'], { encoding: 'utf8' });
    expect(out).toContain('Signature Verified Successfully');
  });

  it('refuses a digest of the wrong length, naming the field', () => {
    const wrong = () => signMessage('ES256', der(KEYS.ES256!.privateKey, 'pkcs8'), Buffer.alloc(20), true);
    expect(wrong).toThrow(OkmsError);
    expect(wrong).toThrow('message: with isdigest, the message must be a 32-byte sha256 digest');
    expect(() => signMessage('PS256', der(rsa.privateKey, 'pkcs8'), Buffer.alloc(31), true)).toThrow(expect.objectContaining({ field: 'message' }));
    expect(() => verifySignature('PS384', der(rsa.publicKey, 'spki'), Buffer.alloc(32), Buffer.alloc(256), true)).toThrow(expect.objectContaining({ field: 'message' }));
  });

  it('a malformed signature is simply not valid', () => {
    for (const alg of ['ES256', 'RS256', 'PS256'] as const) {
      expect(verifySignature(alg, der(keyOf(alg).publicKey, 'spki'), message, Buffer.from('garbage'), false)).toBe(false);
    }
    expect(verifySignature('RS256', der(rsa.publicKey, 'spki'), createHash('sha256').update(message).digest(), Buffer.alloc(256, 1), true)).toBe(false);
  });

  it('binds ES* to its curve and RS/PS to RSA keys', () => {
    expect(() => checkAlgorithmFits('ES256', 'EC', 'P-256')).not.toThrow();
    expect(() => checkAlgorithmFits('ES384', 'EC', 'P-256')).toThrow('alg: ES384 does not fit this EC P-256 key');
    expect(() => checkAlgorithmFits('RS256', 'EC', 'P-256')).toThrow(expect.objectContaining({ field: 'alg' }));
    expect(() => checkAlgorithmFits('ES256', 'RSA', null)).toThrow('alg: ES256 does not fit this RSA key');
    expect(() => checkAlgorithmFits('PS512', 'RSA', null)).not.toThrow();
  });
});
