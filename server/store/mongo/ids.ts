import type { Model } from 'mongoose';
import { StoreError } from '../../../actors/index.ts';

/**
 * A unique key already taken. MongoDB answers E11000 for inserts and updates;
 * FerretDB 1.x answers E11000 for inserts but code 1 with SQLite's "UNIQUE
 * constraint failed" for updates, and neither names the index in its reply.
 */
export function isDuplicate(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown; writeErrors?: { code?: unknown }[] };
  if (e?.code === 11000 || e?.code === 11001) return true;
  if (Array.isArray(e?.writeErrors) && e.writeErrors.some((w) => w.code === 11000)) return true;
  return typeof e?.message === 'string' && e.message.includes('UNIQUE constraint failed');
}

/** Runs a store step; a driver or server failure becomes a StoreError, a taken unique key a STORE_CONFLICT. */
export async function guarded<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof StoreError) throw err;
    if (isDuplicate(err)) throw new StoreError('STORE_CONFLICT', (err as Error).message);
    throw new StoreError('STORE_UNAVAILABLE', (err as Error).message);
  }
}

/** Inserts a document; false when its unique key was taken (by anyone, at any time). */
export async function insertOnce(model: Model<any>, doc: Record<string, unknown>): Promise<boolean> {
  try {
    await model.collection.insertOne(doc as never);
    return true;
  } catch (err) {
    if (isDuplicate(err)) return false;
    throw err;
  }
}

/**
 * Numeric ids for one collection, handed out by inserting: the insert under
 * a free `_id` is the allocation, so two processes never share an id, and
 * an id is tried only when the one below it is known to exist (this process
 * wrote it, or it is the highest the database holds). So a reader that sees
 * id n has every id below n that will ever exist, pruned ones aside.
 */
export class IdSequence {
  readonly #model: Model<any>;
  readonly #floor: () => Promise<number>;
  #next: number | undefined;
  #loading: Promise<void> | undefined;

  /** `floor`: ids at or below it are never handed out (the highest id the collection ever held). */
  constructor(model: Model<any>, floor: () => Promise<number> = async () => 0) {
    this.#model = model;
    this.#floor = floor;
  }

  /**
   * Inserts `make(id)` under the next free id and returns the id. A taken
   * `_id` moves on; any other taken unique key rejects with a duplicate error
   * (the caller's conflict), and the id stays free. `atLeast`: the lowest id the caller accepts.
   */
  async insert(make: (id: number) => Record<string, unknown>, atLeast = 1): Promise<number> {
    for (let tries = 0; ; tries++) {
      let id = await this.#take();
      if (id < atLeast) {
        id = atLeast; // the caller needs an id above one another process gave
        this.#next = Math.max(this.#next ?? 0, id + 1);
      }
      try {
        await this.#model.collection.insertOne(make(id) as never);
        return id;
      } catch (err) {
        if (!isDuplicate(err)) throw err;
        // Neither server says which index refused: the id, if a document holds it now.
        if (!(await this.#model.exists({ _id: id }))) throw err;
        if (this.#next !== undefined && this.#next <= id + 1) this.#next = undefined; // another process went ahead
        if (tries > 1_000) throw new StoreError('STORE_UNAVAILABLE', `no free id in ${this.#model.collection.name}`);
      }
    }
  }

  /** The next id to try: one read of the highest id when unknown, shared by concurrent callers. */
  async #take(): Promise<number> {
    while (this.#next === undefined) {
      this.#loading ??= this.#highest().then(
        (h) => { this.#next ??= h + 1; },
      ).finally(() => { this.#loading = undefined; });
      await this.#loading;
    }
    return this.#next++;
  }

  async #highest(): Promise<number> {
    const top = await this.#model.findOne({}, { _id: 1 }).sort({ _id: -1 }).lean<{ _id: number }>();
    return Math.max(top?._id ?? 0, await this.#floor());
  }
}

/** Writes fields of a small document by key, inserting it when missing; the last writer wins. */
export async function put(model: Model<any>, id: string | number, fields: Record<string, unknown>) {
  const write = () => model.updateOne({ _id: id }, { $set: fields }, { upsert: true });
  await write().catch(async (err: unknown) => {
    if (!isDuplicate(err)) throw err;
    await write(); // two first writes raced to insert it: now it exists
  });
}
