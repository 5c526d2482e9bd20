import type { StartedMongoServer } from './mongo-server';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { okmsdTestMongo?: StartedMongoServer }).okmsdTestMongo?.stop();
}
