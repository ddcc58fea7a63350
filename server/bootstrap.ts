import { apiKeyHash, newApiKey, type Account, type Clock, type Dialect, type Role, type Store } from '../actors/index.ts';

export interface NewAccountRequest {
  email: string;
  role: Role;
  apiKey?: string | undefined;
  /** Opening balance, kopecks, credited with its ledger entry. */
  balance?: number | undefined;
  dialect?: Dialect | undefined;
}

/** Creates an account with its key (only the key's hash is stored) and opening balance. */
export async function addAccount(store: Store, clock: Clock, req: NewAccountRequest): Promise<{ account: Account; apiKey: string }> {
  const apiKey = req.apiKey ?? newApiKey();
  const account = await store.createAccount({
    email: req.email, role: req.role, keyHash: apiKeyHash(apiKey), dialect: req.dialect ?? 'getsms', createdAt: clock.now(),
  });
  if (req.balance && req.balance > 0) {
    await store.moveMoney({
      accountId: account.id, amount: req.balance, reason: 'topup', ref: 'account:opening', key: `opening:${account.id}`,
      note: 'opening balance', at: clock.now(),
    });
  }
  return { account: (await store.accountById(account.id))!, apiKey };
}

/** On first start (no accounts yet): an admin and a demo user with 1000 rubles, keys returned once to print. */
export async function firstStart(store: Store, clock: Clock) {
  if ((await store.accounts()).length > 0) return undefined;
  const admin = await addAccount(store, clock, { email: 'admin@getsms.local', role: 'admin' });
  const demo = await addAccount(store, clock, { email: 'demo@getsms.local', role: 'user', balance: 100_000 });
  return { admin, demo };
}
