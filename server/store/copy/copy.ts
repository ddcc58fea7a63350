import { CopyError } from './errors.ts';
import { plan, type Collection, type Doc, type Emit, type Lookups, type Table, type TableCopy } from './plan.ts';
import { SqliteSource } from './source.ts';
import { MongoTarget, shown } from './target.ts';
import { verify, type SourceFacts, type Verification } from './verify.ts';

export interface CopyOptions {
  /** The data directory holding getsms.sqlite. */
  from: string;
  /** The MongoDB URI, database included. */
  to: string;
  /** Drop the adapter's collections in the target first, instead of refusing a target that holds getsms data. */
  replace?: boolean;
  serverSelectionTimeoutMS?: number;
}

/** One table copied: its rows, and the documents they became (versions, claims and turns included). */
export interface TableCopied {
  table: Table;
  into: Collection;
  rows: number;
  documents: number;
}

export interface CopyReport extends Verification {
  /** The SQLite file copied. */
  source: string;
}

/** Documents held before a write: big enough to keep round trips few, small enough for any server's batch. */
const batch = 1_000;

/**
 * Copies a getsms SQLite database into an empty MongoDB database and checks
 * the copy: every table's rows against the target's documents, and every
 * account's balance on both sides against its ledger on MongoDB. The source
 * is read in one read-only transaction; a write to it meanwhile fails the copy.
 */
export async function copySqliteToMongo(options: CopyOptions, onTable: (done: TableCopied) => void = () => {}): Promise<CopyReport> {
  const source = SqliteSource.open(options.from);
  let target: MongoTarget | undefined;
  try {
    const unknown = source.tables().filter((t) => !Object.hasOwn(plan, t));
    if (unknown.length > 0) {
      throw new CopyError('COPY_SCHEMA', `${source.file} has tables this getsms does not copy (${unknown.join(', ')}): migrate with the getsms that wrote it`);
    }
    target = await MongoTarget.open(options.to, options.serverSelectionTimeoutMS ?? 10_000);
    const occupied = await target.occupied();
    if (occupied.length > 0) {
      if (!options.replace) {
        throw new CopyError('COPY_TARGET_NOT_EMPTY', `${shown(options.to)} already holds getsms data (${occupied.join(', ')}): `
          + 'migrate into an empty database, or add --replace to drop those collections first');
      }
      await target.drop();
    }
    await target.indexes();
    const look = lookups(source);
    const rows = new Map<Table, number>();
    for (const table of Object.keys(plan) as Table[]) {
      const done = await copyTable(source, target, table, look);
      rows.set(table, done.rows);
      onTable(done);
    }
    // SQLite never gives an event id twice, pruned ones included; the adapter's floor for that is an event mark.
    const floor = source.highestId('events');
    if (floor > 0) await target.insert('eventMarks', [{ _id: floor }]);
    const facts = sourceFacts(source, rows);
    if (source.finish().changed) {
      throw new CopyError('COPY_SOURCE_CHANGED', `${source.file} changed while it was copied: stop the server, then migrate again with --replace`);
    }
    return { source: source.file, ...(await verify(options.to, target, facts)) };
  } finally {
    source.close();
    await target?.close();
  }
}

async function copyTable(source: SqliteSource, target: MongoTarget, table: Table, look: Lookups): Promise<TableCopied> {
  const rule: TableCopy = plan[table];
  const held = new Map<Collection, Doc[]>();
  let waiting = 0;
  let rows = 0;
  let documents = 0;
  const emit: Emit = (into, doc) => {
    const docs = held.get(into) ?? [];
    if (docs.length === 0) held.set(into, docs);
    docs.push(doc);
    waiting++;
    documents++;
  };
  const flush = async () => {
    for (const [into, docs] of held) await target.insert(into, docs);
    held.clear();
    waiting = 0;
  };
  // The loop keeps the source's statement open across the writes; nothing else reads the source meanwhile.
  for (const row of source.rows(rule.select)) {
    rule.copy(row, emit, look);
    rows++;
    if (waiting >= batch) await flush();
  }
  await flush();
  return { table, into: rule.into, rows, documents };
}

function lookups(source: SqliteSource): Lookups {
  return {
    online: new Map(source.all('SELECT iccid, online FROM sims').map((r) => [r.iccid as string, r.online === 1])),
    extensions: new Map(source.all(`SELECT key, amount, at FROM ledger WHERE key LIKE 'rent-extend:%'`)
      .map((r) => [r.key as string, { amount: r.amount as number, at: r.at as number }])),
  };
}

/** What the verification compares the target with, read in the copy's snapshot. */
function sourceFacts(source: SqliteSource, rows: Map<Table, number>): SourceFacts {
  const one = (sql: string) => Object.values(source.all(sql)[0] ?? {})[0] as number | null;
  return {
    rows,
    accounts: source.all('SELECT id, email, balance FROM accounts ORDER BY id') as SourceFacts['accounts'],
    liveActivations: one('SELECT count(*) FROM activations WHERE live = 1') ?? 0,
    liveRents: one('SELECT count(*) FROM rents WHERE live = 1') ?? 0,
    events: { oldest: one('SELECT min(id) FROM events') ?? 0, newest: one('SELECT max(id) FROM events') ?? 0 },
  };
}
