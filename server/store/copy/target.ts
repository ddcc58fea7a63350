import mongoose, { type Connection, type Model } from 'mongoose';
import { models, type Models } from '../mongo/index.ts';
import { CopyError } from './errors.ts';
import type { Collection, Doc } from './plan.ts';

/** A MongoDB URI with its user and password taken out, for messages. */
export function shown(uri: string): string {
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/)[^@/]*@/, '$1');
}

/** The target database: the adapter's collections on a connection of the copy's own. */
export class MongoTarget {
  readonly m: Models;
  readonly #conn: Connection;

  private constructor(conn: Connection) {
    this.#conn = conn;
    this.m = models(conn);
  }

  /** Connects with the adapter's options; an unreachable server or a malformed URI is COPY_NO_TARGET. */
  static async open(uri: string, serverSelectionTimeoutMS: number): Promise<MongoTarget> {
    if (!/^mongodb(\+srv)?:\/\/\S+$/.test(uri)) {
      throw new CopyError('COPY_NO_TARGET', `"${shown(uri)}" is not a MongoDB URI (mongodb://host:port/database)`);
    }
    // Without a database the driver picks "test": surely not what was meant.
    if (!/^mongodb(\+srv)?:\/\/[^/]+\/[^/?]+/.test(uri)) {
      throw new CopyError('COPY_NO_TARGET', `${shown(uri)} names no database: add one, as in mongodb://host:27017/getsms`);
    }
    let conn: Connection | undefined;
    try {
      conn = mongoose.createConnection(uri, { autoIndex: false, autoCreate: false, bufferCommands: false, serverSelectionTimeoutMS });
      await conn.asPromise();
    } catch (err) {
      await conn?.close().catch(() => undefined);
      const credentials = /^mongodb(?:\+srv)?:\/\/([^@/]*@)/.exec(uri)?.[1];
      const said = (err as Error).message;
      throw new CopyError('COPY_NO_TARGET', `cannot reach MongoDB at ${shown(uri)}: ${credentials ? said.split(credentials).join('') : said}`);
    }
    return new MongoTarget(conn);
  }

  /** The adapter's collections that hold a document. */
  async occupied(): Promise<string[]> {
    const all: Model<any>[] = Object.values(this.m);
    const found = await Promise.all(all.map(async (model) => ((await model.exists({})) ? model.collection.name : undefined)));
    return found.filter((name): name is string => name !== undefined);
  }

  /** Drops the adapter's collections (only those: a database shared with other data keeps the rest). */
  async drop(): Promise<void> {
    const ours = new Set(Object.values(this.m).map((model) => model.collection.name));
    const present = await this.#conn.db!.listCollections({}, { nameOnly: true }).toArray();
    for (const { name } of present) if (ours.has(name)) await this.#conn.db!.dropCollection(name);
  }

  /** The indexes the adapter declares, built before the copy so its unique keys check every document. */
  async indexes(): Promise<void> {
    for (const model of Object.values(this.m)) await model.createIndexes();
  }

  /** Writes documents as the adapter does: straight to the driver, in the order given. */
  async insert(into: Collection, docs: Doc[]): Promise<void> {
    if (docs.length > 0) await this.m[into].collection.insertMany(docs as never[], { ordered: true });
  }

  async count(into: Collection, filter: Record<string, unknown> = {}): Promise<number> {
    const model: Model<any> = this.m[into];
    return model.countDocuments(filter);
  }

  async close() {
    await this.#conn.close();
  }
}
