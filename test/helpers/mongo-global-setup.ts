import { startMongoServer, TEST_MONGODB_URI_VARIABLE, type StartedMongoServer } from './mongo-server';

/** Jest global setup: every run has a real MongoDB-wire server (unless TEST_MONGODB_URI names one already). */
export default async function globalSetup(): Promise<void> {
  if (process.env[TEST_MONGODB_URI_VARIABLE]) return;
  const server = await startMongoServer();
  process.env[TEST_MONGODB_URI_VARIABLE] = server.uri;
  (globalThis as { okmsdTestMongo?: StartedMongoServer }).okmsdTestMongo = server;
  process.stderr.write(`\ntests: MongoDB store tests run against ${server.description} at ${server.uri}\n`);
}
