import test, { type ExecutionContext } from 'ava';
import type { Store } from '../../../actors/index.ts';
import { accountsContract } from './contract-accounts.ts';
import { activationsContract } from './contract-activations.ts';
import { farmContract } from './contract-farm.ts';
import { liveContract } from './contract-live.ts';
import { partnersContract } from './contract-partners.ts';
import { poolTicketContract } from './contract-pool.ts';
import { rentContract } from './contract-rent.ts';

/**
 * The Store contract: what every adapter must do, said through the Store port
 * only (no SQL, no adapter internals), so SQLite and MongoDB run it unchanged.
 * `open` gives a fresh, empty store per test.
 */
export type OpenStore = () => Promise<{ store: Store; cleanup(): Promise<void> }>;
/** Declares one contract test on a fresh store. */
export type It = (title: string, body: (t: ExecutionContext, store: Store) => Promise<void>) => void;

export function storeContract(name: string, open: OpenStore): void {
  /** A test on a fresh store, closed and removed afterwards. */
  const it: It = (title, body) =>
    test(`${name}: ${title}`, async (t) => {
      const { store, cleanup } = await open();
      t.teardown(cleanup);
      await body(t, store);
    });

  accountsContract(it);
  farmContract(it);
  activationsContract(it);
  liveContract(it);
  rentContract(it);
  partnersContract(it);
  poolTicketContract(it);
}
