import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { join } from 'node:path';
import { KeyPairGenerator } from '../../src/ca/generate-key-pair';
import { RsaKeyReserve } from '../../src/ca/rsa-key-reserve';
import { RsaKeygenWorkers, type RsaKeyPairDer } from '../../src/ca/rsa-keygen-workers';
import { OkmsError } from '../../src/domain/errors';

// 1024-bit keys keep the generator tests quick; the 2048-bit path is the KeyPairGenerator test at the end.
const BITS = 1024;

function expectWorkingPair(key: RsaKeyPairDer, bits: number): void {
  const publicKey = createPublicKey({ key: key.spki, format: 'der', type: 'spki' });
  expect(publicKey.asymmetricKeyType).toBe('rsa');
  expect(publicKey.asymmetricKeyDetails?.modulusLength).toBe(bits);
  const signature = sign('sha256', Buffer.from('proof'), createPrivateKey(key.privateKeyPEM));
  expect(verify('sha256', Buffer.from('proof'), publicKey, signature)).toBe(true);
}

describe('RSA key generation on worker threads', () => {
  const opened: Array<{ close(): unknown }> = [];
  afterEach(async () => {
    for (const o of opened.splice(0)) await o.close();
  });
  const workers = (threads: number, maxQueued: number) => {
    const w = new RsaKeygenWorkers({ threads, maxQueued });
    opened.push(w);
    return w;
  };

  it('generates working key pairs, every one different', async () => {
    const w = workers(2, 8);
    const keys = await Promise.all([w.generate(BITS), w.generate(BITS), w.generate(BITS)]);
    for (const key of keys) expectWorkingPair(key, BITS);
    expect(new Set(keys.map((k) => k.spki.toString('hex'))).size).toBe(3);
    expect(w.busy).toBe(0);
  });

  it('refuses a demand beyond its queue bound with ERR_BUSY, and serves the others', async () => {
    const w = workers(1, 1);
    const first = w.generate(BITS); // running
    const second = w.generate(BITS); // queued
    await expect(w.generate(BITS)).rejects.toMatchObject({ code: 'ERR_BUSY' });
    expectWorkingPair(await first, BITS);
    expectWorkingPair(await second, BITS);
  });

  it('runs a waiting caller before reserve refills', async () => {
    const w = workers(1, 4);
    const order: string[] = [];
    const running = w.generate(BITS).then(() => order.push('running'));
    const refill = w.generateForReserve(BITS).then(() => order.push('refill'));
    const demand = w.generate(BITS).then(() => order.push('demand'));
    await Promise.all([running, refill, demand]);
    expect(order).toEqual(['running', 'demand', 'refill']);
  });

  it('rejects what is pending when closed', async () => {
    const w = new RsaKeygenWorkers({ threads: 1, maxQueued: 4 });
    const running = w.generate(BITS);
    const queued = w.generate(BITS);
    const refused = [expect(queued).rejects.toBeInstanceOf(OkmsError), expect(running).rejects.toBeInstanceOf(OkmsError)];
    await w.close();
    await Promise.all(refused);
    await expect(w.generate(BITS)).rejects.toMatchObject({ code: 'ERR_BUSY' });
  });

  describe('the reserve', () => {
    it('fills to its capacity, hands each key out once and refills', async () => {
      const w = workers(2, 8);
      const reserve = new RsaKeyReserve(w, { capacity: 3, modulusLength: BITS });
      expect(reserve.available).toBe(0);
      await reserve.fill();
      expect(reserve.available).toBe(3);
      const burst = await Promise.all([reserve.take(), reserve.take(), reserve.take(), reserve.take()]);
      for (const key of burst) expectWorkingPair(key, BITS);
      expect(new Set(burst.map((k) => k.privateKeyPEM)).size).toBe(4);
      await reserve.fill(); // the burst emptied it; the background refill brings it back to capacity
      expect(reserve.available).toBe(3);
      expect(w.busy).toBe(0);
    });

    it('with capacity 0 generates on demand and keeps nothing', async () => {
      const w = workers(1, 4);
      const reserve = new RsaKeyReserve(w, { capacity: 0, modulusLength: BITS });
      expectWorkingPair(await reserve.take(), BITS);
      expect(reserve.available).toBe(0);
      expect(w.busy).toBe(0);
    });

    it('drops its keys when closed', async () => {
      const w = workers(1, 4);
      const reserve = new RsaKeyReserve(w, { capacity: 2, modulusLength: BITS });
      await reserve.fill();
      reserve.close();
      expect(reserve.available).toBe(0);
    });
  });

  it('keeps its process alive while a key is being made, and not once idle (never closed)', () => {
    const built = join(__dirname, '..', '..', 'dist', 'src', 'ca', 'generate-key-pair.js');
    const script = `new (require(${JSON.stringify(built)}).KeyPairGenerator)({ rsaThreads: 1, maxQueuedRsa: 1 }).generate('RSA').then((k) => console.log('key', k.spki.length))`;
    expect(execFileSync(process.execPath, ['-e', script], { timeout: 60_000 }).toString()).toMatch(/^key \d+\n$/);
  });

  it('KeyPairGenerator: RSA 2048 from the reserve, EC P-256 from the thread pool', async () => {
    const generator = new KeyPairGenerator({ rsaThreads: 2, maxQueuedRsa: 4, rsaReserve: 1 });
    opened.push(generator);
    const rsa = await generator.generate('RSA');
    expectWorkingPair({ spki: rsa.spki, privateKeyPEM: rsa.privateKeyPEM }, 2048);
    await generator.fillRsaReserve();
    expect(generator.rsaReserveLevel()).toEqual({ available: 1, capacity: 1 });
    const ec = await generator.generate('ECDSA');
    expect(createPublicKey({ key: ec.spki, format: 'der', type: 'spki' }).asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  });
});
