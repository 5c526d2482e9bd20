import { loadConfig } from '../../src/app/config';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ host: '127.0.0.1', port: 8080, gatewayPort: 8443, store: 'embedded', urnRegion: 'eu', adminToken: undefined, masterKey: undefined });
    expect(config.dataDir.endsWith('/data')).toBe(true);
    expect(config.auditSyncMs).toBe(100);
    expect(loadConfig({ OKMSD_AUDIT_SYNC_MS: '0' }).auditSyncMs).toBe(0);
  });
  it('reads every variable', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const config = loadConfig({
      OKMSD_DATA_DIR: '/tmp/x', OKMSD_HOST: '0.0.0.0', OKMSD_PORT: '0', OKMSD_GATEWAY_PORT: '9443', OKMSD_ADMIN_TOKEN: 'a-very-long-admin-token',
      OKMSD_MASTER_KEY: key, OKMSD_STORE: 'mongodb', OKMSD_MONGODB_URI: 'mongodb://127.0.0.1:27017/okmsd', OKMSD_URN_REGION: 'ca',
      OKMSD_GATEWAY_HOSTNAMES: 'kms.example, kms2.example', OKMSD_PKI_URL: 'http://pki.example:8080',
    });
    expect(config).toMatchObject({ dataDir: '/tmp/x', host: '0.0.0.0', port: 0, gatewayPort: 9443, store: 'mongodb', urnRegion: 'ca', gatewayHostnames: ['kms.example', 'kms2.example'], pkiUrl: 'http://pki.example:8080' });
    expect(config.masterKey?.equals(Buffer.alloc(32, 7))).toBe(true);
  });
  it.each([
    [{ OKMSD_PORT: '80a' }, 'OKMSD_PORT'],
    [{ OKMSD_PORT: '70000' }, 'OKMSD_PORT'],
    [{ OKMSD_MASTER_KEY: Buffer.alloc(16).toString('base64') }, 'OKMSD_MASTER_KEY'],
    [{ OKMSD_MASTER_KEY: 'not base64!' }, 'OKMSD_MASTER_KEY'],
    [{ OKMSD_STORE: 'redis' }, 'OKMSD_STORE'],
    [{ OKMSD_ADMIN_TOKEN: 'short' }, 'OKMSD_ADMIN_TOKEN'],
    [{ OKMSD_URN_REGION: 'EU' }, 'OKMSD_URN_REGION'],
    [{ OKMSD_AUDIT_SYNC_MS: '5001' }, 'OKMSD_AUDIT_SYNC_MS'],
    [{ OKMSD_AUDIT_SYNC_MS: '-1' }, 'OKMSD_AUDIT_SYNC_MS'],
    [{ OKMSD_PKI_URL: 'https://pki.example' }, 'OKMSD_PKI_URL'], // revocation checks must not need TLS
    [{ OKMSD_PKI_URL: 'http://pki.example/path' }, 'OKMSD_PKI_URL'],
  ])('refuses %j naming the variable', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(variable);
  });
});
