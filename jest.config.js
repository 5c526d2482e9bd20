/**
 * Three layers, run together by `npm test` (after the build: worker threads run their compiled modules from dist/):
 * - unit: pure modules, no server, no network (`npx jest --selectProjects unit` takes seconds);
 * - integration: okmsd in-process on loopback (both stores; the MongoDB-wire server starts for this layer only);
 * - e2e: okmsd as a child process and real outside clients (openssl, curl, openstack, chromium, schemathesis).
 * No forceExit: every suite closes what it opens (find a leak with --detectOpenHandles).
 */
const base = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }] },
  setupFiles: ['<rootDir>/test/helpers/setup-env.ts'],
};
const withMongo = {
  globalSetup: '<rootDir>/test/helpers/mongo-global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/mongo-global-teardown.ts',
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 60000,
  maxWorkers: 2,
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...base, ...withMongo, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
    { ...base, ...withMongo, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
  ],
};
