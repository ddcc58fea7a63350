import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../../actors/index.ts';
import { SqliteStore } from './sqlite/index.ts';

export { SqliteStore };
export type { MongoStore } from './mongo/index.ts';

/** The MongoDB Store at `uri`; mongoose is loaded only by a process that uses it. */
export async function openMongoStore(uri: string, options?: { serverSelectionTimeoutMS?: number }) {
  return (await import('./mongo/index.ts')).openMongoStore(uri, options);
}

/** The Store the configuration asks for: SQLite under `dataDir` unless a MongoDB URI is given. */
export async function openStore(options: { dataDir: string; mongodbUri?: string | undefined }): Promise<Store> {
  if (options.mongodbUri) return openMongoStore(options.mongodbUri);
  mkdirSync(options.dataDir, { recursive: true });
  return new SqliteStore(join(options.dataDir, 'getsms.sqlite'));
}
