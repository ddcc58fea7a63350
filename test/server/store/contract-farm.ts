import type { It } from './contract.ts';
import { account, counts, opened, order, settle, sim, T0, TG, WA } from './contract-fixtures.ts';

/** The store contract: SIMs, their moves and channels, and what is free. */
export function farmContract(it: It): void {
  // ── SIMs ────────────────────────────────────────────────────────────────

  it('a SIM seen for the first time is inserted and found by ICCID and by phone', async (t, store) => {
    const s = sim({ canForward: true });
    const saved = await store.upsertSim(s);
    t.like(saved, { ...s, seenAt: s.at });
    t.like(await store.simByIccid(s.iccid), { ...s });
    t.like(await store.simByPhone(s.phone), { iccid: s.iccid });
    t.is(await store.simByIccid('0000'), undefined);
    t.is(await store.simByPhone('0000'), undefined);
    t.deepEqual((await store.sims()).map((x) => x.iccid), [s.iccid]);
  });

  it('a SIM moved to another slot is the same SIM, updated, not a second one', async (t, store) => {
    const s = sim({ channel: 'ch-1', slot: 3 });
    await store.upsertSim(s);
    const moved = await store.upsertSim({ ...s, channel: 'ch-7', slot: 1, operator: 'beeline', at: T0 + 60_000 });
    t.like(moved, { iccid: s.iccid, channel: 'ch-7', slot: 1, operator: 'beeline', seenAt: T0 + 60_000 });
    const all = await store.sims();
    t.is(all.length, 1);
    t.like(all[0], { iccid: s.iccid, channel: 'ch-7', slot: 1 });
  });

  it('a SIM goes offline and back online', async (t, store) => {
    const s = sim();
    await store.upsertSim(s);
    await store.setSimOnline(s.iccid, false, T0 + 10);
    t.like(await store.simByIccid(s.iccid), { online: false, seenAt: T0 + 10 });
    await store.setSimOnline(s.iccid, true, T0 + 20);
    t.like(await store.simByIccid(s.iccid), { online: true, seenAt: T0 + 20 });
  });

  it('availability counts free SIMs per service, and the ones that can forward calls', async (t, store) => {
    const a = await account(store, 100_000);
    await store.setPrice('telegram', 'ru', TG);
    await store.setPrice('avito', 'ru', 1_800);
    await store.setPrice('avito', 'kz', 2_500);
    await store.upsertSim(sim({ country: 'ru', canForward: true }));
    await store.upsertSim(sim({ country: 'ru' }));
    await store.upsertSim(sim({ country: 'kz', canForward: true }));
    await store.upsertSim(sim({ country: 'kz', canForward: true, online: false }));
    await store.upsertSim(sim({ country: 'de' })); // nothing is sold in Germany
    const all = await store.availability({ accountId: a, filter: {} });
    t.deepEqual(counts(all, ['telegram', 'avito', 'whatsapp']), {
      telegram: { any: 2, forwarding: 1 },
      avito: { any: 3, forwarding: 2 },
      whatsapp: { any: 0, forwarding: 0 },
    });
    const kz = await store.availability({ accountId: a, filter: { country: 'kz' } });
    t.deepEqual(counts(kz, ['telegram', 'avito']), { telegram: { any: 0, forwarding: 0 }, avito: { any: 1, forwarding: 1 } });
  });

  it('availability leaves out SIMs held for the service and numbers on the account’s blacklist', async (t, store) => {
    const a = await account(store, 100_000);
    const b = await account(store, 100_000);
    await store.setPrice('telegram', 'ru', TG);
    await store.setPrice('whatsapp', 'ru', WA);
    await store.upsertSim(sim());
    await store.upsertSim(sim());
    await store.upsertSim(sim());
    const held = await opened(store, order(a, 'telegram'));
    const listed = await opened(store, order(a, 'whatsapp'));
    await store.settleActivation(settle(listed, { refund: WA, claim: 'release', blacklist: true }));
    t.deepEqual(counts(await store.availability({ accountId: a, filter: {} }), ['telegram', 'whatsapp']), {
      telegram: { any: listed.iccid === held.iccid ? 2 : 1, forwarding: 0 },
      whatsapp: { any: 2, forwarding: 0 },
    });
    t.deepEqual(counts(await store.availability({ accountId: b, filter: {} }), ['telegram', 'whatsapp']), {
      telegram: { any: 2, forwarding: 0 },
      whatsapp: { any: 3, forwarding: 0 },
    });
  });
}
