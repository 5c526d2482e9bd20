import { MongoBulkWriteError, MongoServerError } from 'mongodb';
import { OkmsError } from '../../domain/errors';

/** E11000: an insert met a unique key already taken. The MongoDB adapter decides every race on it. */
const DUPLICATE_KEY = 11000;

export function isDuplicate(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === DUPLICATE_KEY;
}

/** How many documents of an ordered insert went in before it stopped at a duplicate; undefined for other errors. */
export function insertedBeforeDuplicate(error: unknown): number | undefined {
  if (error instanceof MongoBulkWriteError) {
    const first = [error.writeErrors].flat()[0];
    return first?.code === DUPLICATE_KEY ? first.index : undefined;
  }
  return isDuplicate(error) ? 0 : undefined;
}

/** The store contract's answer to a duplicate: ERR_CONFLICT. */
export async function conflictOnDuplicate<T>(what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isDuplicate(error)) throw new OkmsError('ERR_CONFLICT', `${what} already exists`);
    throw error;
  }
}
