import Database from 'better-sqlite3';
import { StoreError } from '../../../actors/index.ts';

/**
 * A failure of SQLite as a StoreError: a taken unique value is a STORE_CONFLICT; the rest (SQLITE_FULL,
 * SQLITE_READONLY, SQLITE_IOERR_*, SQLITE_BUSY, SQLITE_CANTOPEN …) is STORE_UNAVAILABLE, which the
 * gateways answer with ERROR_SQL and the JSON API with 503. Anything not from SQLite is `orElse`'s to decide.
 */
export function storeFault(err: unknown, orElse?: 'STORE_UNAVAILABLE'): unknown {
  const code = (err as { code?: unknown }).code;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new StoreError('STORE_CONFLICT', (err as Error).message);
  }
  // Another process (the CLI, a migration) held the write lock past the busy timeout: said as the CLI says it.
  if (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) {
    return new StoreError('STORE_UNAVAILABLE', 'the database stayed busy (another process is writing); nothing changed, try again');
  }
  if (err instanceof Database.SqliteError) return new StoreError('STORE_UNAVAILABLE', `${err.message} (${String(code)})`);
  if (orElse) return new StoreError('STORE_UNAVAILABLE', (err as Error).message);
  return err; // a programmer's mistake (a wrong binding) stays what it is
}

/**
 * A statement whose SQLite failures leave it as StoreErrors, so writes outside a transaction (an activation's
 * snapshot, a SIM sighting) fail on a full disk or a read-only data directory exactly as transactions do.
 */
export function guarded(statement: Database.Statement): Database.Statement {
  for (const name of ['run', 'get', 'all'] as const) {
    const call = statement[name].bind(statement) as (...args: unknown[]) => unknown;
    Object.defineProperty(statement, name, {
      value: (...args: unknown[]) => {
        try {
          return call(...args);
        } catch (err) {
          throw storeFault(err);
        }
      },
    });
  }
  return statement;
}
