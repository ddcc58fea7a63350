import { accessSync, constants, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Store } from '../../actors/index.ts';
import { SqliteStore } from './sqlite/index.ts';

export { SqliteStore };
export type { MongoStore } from './mongo/index.ts';
/** `getsms migrate`: a SQLite data directory copied into MongoDB and checked (mongoose loaded only when it runs). */
export { copySqliteToMongo, copiedTables, CopyError, type CopyReport, type TableCopied } from './copy/index.ts';

/** The MongoDB Store at `uri`; mongoose is loaded only by a process that uses it. */
export async function openMongoStore(uri: string, options?: { serverSelectionTimeoutMS?: number }) {
  return (await import('./mongo/index.ts')).openMongoStore(uri, options);
}

/** The Store the configuration asks for: SQLite under `dataDir` unless a MongoDB URI is given. */
export async function openStore(options: { dataDir: string; mongodbUri?: string | undefined }): Promise<Store> {
  if (options.mongodbUri) return openMongoStore(options.mongodbUri);
  mkdirSync(options.dataDir, { recursive: true });
  try {
    return new SqliteStore(join(options.dataDir, 'getsms.sqlite'));
  } catch (err) {
    throw new Error(whyNotOpened(options.dataDir, err), { cause: err });
  }
}

/** One sentence on why SQLite could not open its file: SQLite's own ("unable to open database file") names no cause. */
function whyNotOpened(dataDir: string, err: unknown): string {
  const where = resolve(dataDir);
  const code = String((err as { code?: unknown }).code ?? '');
  const writable = (() => {
    try {
      accessSync(dataDir, constants.W_OK); // EROFS on a read-only mount, even for root
      return '';
    } catch (e) {
      return (e as NodeJS.ErrnoException).code ?? 'EACCES';
    }
  })();
  if (writable === 'EROFS') return `the data directory ${where} is on a read-only file system: getsms writes getsms.sqlite there (remount it read-write, or set DATA_DIR)`;
  if (writable) return `getsms may not write in the data directory ${where} (${writable}): it keeps getsms.sqlite there`;
  if (code === 'SQLITE_FULL') return `the data directory ${where} is full: getsms needs room for getsms.sqlite and its write-ahead log`;
  return `${(err as Error).message} (${code || 'no code'}) in ${where}`;
}
