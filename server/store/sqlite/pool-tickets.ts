import type Database from 'better-sqlite3';
import type { PoolTicket, PoolTicketChange, PoolTicketMark } from '../../../actors/index.ts';
import { guarded } from './faults.ts';

interface Row {
  tzid: number;
  account_id: number;
  service: string;
  filter: string;
  created_at: number;
  until: number;
  state: PoolTicket['state'];
  activation_id: number | null;
  tried_at: number;
  lease_until: number;
}

const ticket = (r: Row): PoolTicket => ({
  tzid: r.tzid, accountId: r.account_id, service: r.service, filter: JSON.parse(r.filter) as PoolTicket['filter'],
  createdAt: r.created_at, until: r.until, state: r.state, activationId: r.activation_id, triedAt: r.tried_at,
  leaseUntil: r.lease_until,
});

/** sms-reg's waiting orders; each change a compare-and-set, so processes sharing the file take turns. */
export class PoolTickets {
  readonly #q: ReturnType<typeof statements>;

  constructor(db: Database.Database) {
    this.#q = statements(db);
  }

  insert(t: PoolTicket): boolean {
    return this.#q.insert.run({
      tzid: t.tzid, accountId: t.accountId, service: t.service, filter: JSON.stringify(t.filter), createdAt: t.createdAt,
      until: t.until, state: t.state, activationId: t.activationId, triedAt: t.triedAt, leaseUntil: t.leaseUntil,
    }).changes === 1;
  }

  get(tzid: number): PoolTicket | undefined {
    const r = this.#q.get.get(tzid) as Row | undefined;
    return r ? ticket(r) : undefined;
  }

  update(tzid: number, expected: PoolTicketMark, change: PoolTicketChange): boolean {
    return this.#q.update.run({
      tzid, expectedState: expected.state, expectedTriedAt: expected.triedAt, expectedLeaseUntil: expected.leaseUntil,
      state: change.state ?? null, activationId: change.activationId ?? null, setActivation: 'activationId' in change ? 1 : 0,
      triedAt: change.triedAt ?? null, leaseUntil: change.leaseUntil ?? null,
    }).changes === 1;
  }

  prune(before: number): number {
    return this.#q.prune.run(before).changes;
  }
}

function statements(db: Database.Database) {
  const p = (sql: string) => guarded(db.prepare(sql));
  return {
    insert: p(`INSERT OR IGNORE INTO pool_tickets
        (tzid, account_id, service, filter, created_at, until, state, activation_id, tried_at, lease_until)
      VALUES (@tzid, @accountId, @service, @filter, @createdAt, @until, @state, @activationId, @triedAt, @leaseUntil)`),
    get: p('SELECT * FROM pool_tickets WHERE tzid = ?'),
    update: p(`UPDATE pool_tickets SET state = coalesce(@state, state),
        activation_id = CASE WHEN @setActivation = 1 THEN @activationId ELSE activation_id END,
        tried_at = coalesce(@triedAt, tried_at), lease_until = coalesce(@leaseUntil, lease_until)
      WHERE tzid = @tzid AND state = @expectedState AND tried_at = @expectedTriedAt AND lease_until = @expectedLeaseUntil`),
    prune: p("DELETE FROM pool_tickets WHERE created_at < ? AND state != 'filled'"),
  };
}
