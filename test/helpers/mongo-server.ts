import { MongoClient } from 'mongodb';
export { startMongoServer, type StartedMongoServer } from '../../tools/mongo-server';

/** The URI of the MongoDB-wire server the tests use; set by the jest global setup (or by the caller). */
export const TEST_MONGODB_URI_VARIABLE = 'TEST_MONGODB_URI';

export function testMongoUri(database: string): string {
  const base = process.env[TEST_MONGODB_URI_VARIABLE];
  if (!base) throw new Error(`${TEST_MONGODB_URI_VARIABLE} is not set: run the tests through jest (its global setup starts a server)`);
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Drops the databases whose names start with `prefix` (each test uses its own names). */
export async function dropTestDatabases(prefix: string): Promise<void> {
  const client = new MongoClient(testMongoUri('admin'));
  try {
    const { databases } = await client.db('admin').admin().listDatabases();
    for (const { name } of databases) if (name.startsWith(prefix)) await client.db(name).dropDatabase();
  } finally {
    await client.close();
  }
}

