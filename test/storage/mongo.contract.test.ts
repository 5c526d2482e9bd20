import { openMongoStore } from '../../src/storage/mongo/mongo-store';
import { describeStoreContract } from './contract/store-contract';

/**
 * The same contract against a MongoDB-wire server named by MONGODB_TEST_URI (a mongod, FerretDB, …).
 * Issue 3/6 makes .ci/run provide one; until then this suite says plainly that it did not run.
 */
const uri = process.env.MONGODB_TEST_URI;
if (!uri) console.warn('MONGODB_TEST_URI is not set: the MongoDB contract suite is skipped (issue 3/6 wires a server into CI)');
const run = Date.now().toString(36);

if (uri) {
  describeStoreContract('mongodb', async (name) => openMongoStore(`${uri.replace(/\/[^/]*$/, '')}/okmsd-${run}-${name}`));
} else {
  describe.skip('storage contract: mongodb (MONGODB_TEST_URI is not set)', () => {
    it('needs a MongoDB-wire server', () => undefined);
  });
}
