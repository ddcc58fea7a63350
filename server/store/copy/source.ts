import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { migrations } from '../sqlite/index.ts';
import { CopyError } from './errors.ts';

/** A row as better-sqlite3 returns it. */
export type Row = Record<string, unknown>;

/**
 * A getsms data directory opened read-only, read in one transaction: WAL
 * gives that transaction one consistent picture, whatever happens to the
 * file meanwhile, and `changed()` tells whether anyone wrote to it since.
 */
export class SqliteSource {
  readonly file: string;
  readonly #db: Database.Database;
  readonly #version: number;

  private constructor(file: string, db: Database.Database) {
    this.file = file;
    this.#db = db;
    // Read before the transaction: a commit between the two is counted as a change, never missed.
    this.#version = this.#db.pragma('data_version', { simple: true }) as number;
    this.#db.exec('BEGIN'); // deferred: the snapshot starts at the first read
  }

  /** Refuses a directory without a getsms database, one a server seems to hold, and one of another schema. */
  static open(dataDir: string): SqliteSource {
    const dir = resolve(dataDir);
    if (!existsSync(dir)) throw new CopyError('COPY_NO_SOURCE', `there is no data directory ${dir}`);
    const file = join(dir, 'getsms.sqlite');
    if (!existsSync(file)) throw new CopyError('COPY_NO_SOURCE', `${dir} holds no getsms.sqlite: is it the server's DATA_DIR?`);
    // A running server's write-ahead log holds what it wrote since the last checkpoint; a cleanly closed
    // database has none (a read-only reader, this one included, leaves an empty file behind).
    const wal = `${file}-wal`;
    if (existsSync(wal) && statSync(wal).size > 0) {
      throw new CopyError('COPY_SOURCE_IN_USE', `${file} is in use (its write-ahead log is not empty): stop the server first. `
        + `If it is stopped, it did not close the database: run DATA_DIR=${dir} npx getsms user list once, then migrate`);
    }
    let db: Database.Database;
    try {
      db = new Database(file, { readonly: true, fileMustExist: true });
    } catch (err) {
      throw new CopyError('COPY_NO_SOURCE', `cannot open ${file}: ${(err as Error).message}`);
    }
    try {
      db.pragma('busy_timeout = 5000');
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version > migrations.length) {
        throw new CopyError('COPY_SCHEMA', `${file} has schema ${version}, newer than this getsms (${migrations.length}): migrate with the getsms that wrote it`);
      }
      if (version < migrations.length) {
        throw new CopyError('COPY_SCHEMA', `${file} has schema ${version}, older than this getsms (${migrations.length}): `
          + `run DATA_DIR=${dir} npx getsms user list once to bring it up to date, then migrate`);
      }
      return new SqliteSource(file, db);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /** The tables the schema made, SQLite's own (`sqlite_sequence`) left out. */
  tables(): string[] {
    return (this.#db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`)
      .pluck().all() as string[]);
  }

  count(table: string): number {
    return this.#db.prepare(`SELECT count(*) FROM "${table}"`).pluck().get() as number;
  }

  /** Rows of a query, read lazily: no other query may run on this source until the loop ends. */
  rows(sql: string): IterableIterator<Row> {
    return this.#db.prepare(sql).iterate() as IterableIterator<Row>;
  }

  all(sql: string): Row[] {
    return this.#db.prepare(sql).all() as Row[];
  }

  /** The highest id an AUTOINCREMENT table ever gave (pruned rows included); 0 when none. */
  highestId(table: string): number {
    return (this.#db.prepare('SELECT seq FROM sqlite_sequence WHERE name = ?').pluck().get(table) as number | undefined) ?? 0;
  }

  /**
   * Ends the read and tells whether another connection committed since the open, which the copy
   * then missed. Inside the transaction data_version stands still, so it is read after it.
   */
  finish(): { changed: boolean } {
    if (this.#db.inTransaction) this.#db.exec('COMMIT');
    return { changed: (this.#db.pragma('data_version', { simple: true }) as number) !== this.#version };
  }

  close() {
    if (this.#db.open) {
      if (this.#db.inTransaction) this.#db.exec('COMMIT');
      this.#db.close();
    }
  }
}
