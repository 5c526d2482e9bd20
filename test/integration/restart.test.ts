import { randomBytes } from 'node:crypto';
import { createDomain, removeDir, rootUrn, startTestOkmsd, tempDir } from '../helpers/harness';
import { opensslVerify } from '../helpers/openssl';

describe('restart on the same data dir', () => {
  it('keeps domains, credentials and revocations, and the CA still signs', async () => {
    const dataDir = tempDir();
    try {
      const first = await startTestOkmsd({ dataDir });
      const domain = await createDomain(first, 'durable');
      const path = `/okms/resource/${domain.id}/credential`;
      const kept = (await first.api('POST', path, { body: { name: 'kept', identityURNs: [rootUrn()] } })).json;
      const revoked = (await first.api('POST', path, { body: { name: 'revoked', identityURNs: [rootUrn()] } })).json;
      expect((await first.api('DELETE', `${path}/${revoked.id}`)).status).toBe(204);
      await first.stop();

      const second = await startTestOkmsd({ dataDir });
      try {
        expect((await second.api('GET', `/okms/resource/${domain.id}`)).json.publicCA).toBe(domain.publicCA);
        const again = await second.api('GET', `${path}/${kept.id}`);
        expect(again.status).toBe(200);
        expect(again.json.certificatePEM).toBe(kept.certificatePEM);
        expect((await second.api('GET', `${path}/${revoked.id}`)).status).toBe(404);
        expect(await second.okmsd.store.revocations.get(domain.id, revoked.serialNumber)).toBeDefined();
        const fresh = (await second.api('POST', path, { body: { name: 'after-restart', identityURNs: [rootUrn()] } })).json;
        expect(opensslVerify(domain.publicCA, fresh.certificatePEM)).toContain('OK');
      } finally {
        await second.stop();
      }
    } finally {
      removeDir(dataDir);
    }
  });

  it('refuses to start with a master key other than the one the data was written with', async () => {
    const dataDir = tempDir();
    try {
      const key = randomBytes(32).toString('base64');
      const first = await startTestOkmsd({ dataDir, env: { OKMSD_MASTER_KEY: key } });
      await createDomain(first, 'sealed');
      await first.stop();
      await expect(startTestOkmsd({ dataDir, env: { OKMSD_MASTER_KEY: randomBytes(32).toString('base64') } })).rejects.toThrow(
        'master key does not match',
      );
      const back = await startTestOkmsd({ dataDir, env: { OKMSD_MASTER_KEY: key } });
      await back.stop();
    } finally {
      removeDir(dataDir);
    }
  });
});
