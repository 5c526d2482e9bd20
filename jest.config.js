/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }] },
  globalSetup: '<rootDir>/test/helpers/mongo-global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/mongo-global-teardown.ts',
  setupFiles: ['<rootDir>/test/helpers/setup-env.ts'],
  testTimeout: 60000,
  maxWorkers: 2,
  // A leaked handle must not keep CI waiting after the last test: the suites close what they open, this is the net.
  forceExit: true,
};
