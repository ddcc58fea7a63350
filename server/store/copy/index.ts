import type { CopyOptions, CopyReport, TableCopied } from './copy.ts';

/** A refusal to copy, with a stable code (no source, source in use, other schema, no target, target not empty, source changed). */
export { CopyError, type CopyErrorCode } from './errors.ts';
/** What to copy where, each table's progress, and the verification that ends a copy. */
export type { CopyOptions, CopyReport, TableCopied } from './copy.ts';
/** One count or one account's money on both sides of a copy. */
export type { AccountCheck, Check } from './verify.ts';

/**
 * Copies a SQLite data directory into an empty MongoDB database and verifies the copy (getsms migrate).
 * Loaded on call, so mongoose stays out of processes that never copy.
 */
export async function copySqliteToMongo(options: CopyOptions, onTable?: (done: TableCopied) => void): Promise<CopyReport> {
  return (await import('./copy.ts')).copySqliteToMongo(options, onTable);
}

/** The SQLite tables the copy knows, each copied. */
export async function copiedTables(): Promise<string[]> {
  return Object.keys((await import('./plan.ts')).plan);
}
