import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../../actors/index.ts';
import { SqliteStore } from './sqlite/index.ts';

export { SqliteStore };

/** The Store the configuration asks for: SQLite under `dataDir` unless a MongoDB URI is given. */
export async function openStore(options: { dataDir: string; mongodbUri?: string | undefined }): Promise<Store> {
  if (options.mongodbUri) {
    throw new Error('MONGODB_URI is set, but this build has only the SQLite store; unset it to use ./data');
  }
  mkdirSync(options.dataDir, { recursive: true });
  return new SqliteStore(join(options.dataDir, 'getsms.sqlite'));
}
