import { holdId, rentHoldId, useId, type Models } from '../mongo/index.ts';
import type { Row } from './source.ts';

/** A collection of the MongoDB adapter, by its name in `models()`. */
export type Collection = keyof Models;
export type Doc = Record<string, unknown>;
/** Hands one document to the writer. */
export type Emit = (into: Collection, doc: Doc) => void;

/** What a row's copy needs from other tables, read before the copy starts. */
export interface Lookups {
  /** ICCID → online: a hold on a SIM that is not online was sold from a standby slot (the claim's `viaStandby`). */
  online: Map<string, boolean>;
  /** `rent-extend:<rent id>:<n>` → that extension's charge, from the ledger. */
  extensions: Map<string, { amount: number; at: number }>;
}

/** How one SQLite table becomes documents. */
export interface TableCopy {
  /** The rows, in id order. */
  select: string;
  /** The collection with one document per row, counted against the table after the copy. */
  into: Collection;
  copy(row: Row, emit: Emit, look: Lookups): void;
  /** The target's count when it is not the number of documents in `into`. */
  counted?: (m: Models) => Promise<number>;
}

/**
 * Every table the SQLite schema (sqlite/schema.ts) makes, in the order they are copied. migrate.test.ts
 * checks this list against a fresh database, and a copy refuses a source with a table not listed, so a
 * new migration's table cannot be forgotten. Nothing is skipped: SQLite's own `sqlite_sequence` is read
 * only for the event log's floor (copy.ts).
 *
 * Documents are shaped as the adapter inserts them (mongo/*.ts), ids kept, so API clients' activation
 * ids, rent ids and a live client's `since=` go on working, and each id sequence goes on above the highest copied.
 */
export const plan = {
  accounts: {
    select: 'SELECT * FROM accounts ORDER BY id',
    into: 'accounts',
    // No balance field: on MongoDB the ledger is the balance (its newest entry's balanceAfter).
    copy: (r, emit) => emit('accounts', {
      _id: r.id, email: r.email, role: r.role, keyHash: r.key_hash, dialect: r.dialect, createdAt: r.created_at,
    }),
  },
  ledger: {
    // seq numbers each account's entries 1, 2, 3 … in id order, as the adapter's moves do.
    select: 'SELECT *, row_number() OVER (PARTITION BY account_id ORDER BY id) AS seq FROM ledger ORDER BY id',
    into: 'ledger',
    copy: (r, emit) => emit('ledger', {
      _id: r.id, accountId: r.account_id, seq: r.seq, amount: r.amount, balanceAfter: r.balance_after, reason: r.reason,
      ref: r.ref, key: r.key, note: r.note, at: r.at,
    }),
  },
  passwords: {
    select: 'SELECT * FROM passwords ORDER BY account_id',
    into: 'passwords',
    copy: (r, emit) => emit('passwords', { _id: r.account_id, hash: r.hash }),
  },
  sessions: {
    // Expired ones too: the adapter drops an account's expired sessions at its next sign-in, as SQLite does.
    select: 'SELECT * FROM sessions ORDER BY token_hash',
    into: 'sessions',
    copy: (r, emit) => emit('sessions', { _id: r.token_hash, accountId: r.account_id, createdAt: r.created_at, expiresAt: r.expires_at }),
  },
  partners: {
    select: 'SELECT * FROM partners ORDER BY account_id',
    into: 'partners',
    copy: (r, emit) => emit('partners', {
      _id: r.account_id, code: r.code, shareBp: r.share_bp, createdAt: r.created_at, updatedAt: r.updated_at,
    }),
  },
  agent_tokens: {
    select: 'SELECT * FROM agent_tokens ORDER BY name',
    into: 'agentTokens',
    copy: (r, emit) => emit('agentTokens', { _id: r.name, tokenHash: r.token_hash, createdAt: r.created_at, revokedAt: r.revoked_at }),
  },
  prices: {
    select: 'SELECT * FROM prices ORDER BY service, country',
    into: 'prices',
    copy: (r, emit) => emit('prices', { _id: `${r.service}|${r.country}`, service: r.service, country: r.country, price: r.price }),
  },
  rent_prices: {
    select: 'SELECT * FROM rent_prices ORDER BY country',
    into: 'rentPrices',
    copy: (r, emit) => emit('rentPrices', { _id: r.country, price: r.price }),
  },
  service_rules: {
    select: 'SELECT * FROM service_rules ORDER BY service',
    into: 'rules',
    copy: (r, emit) => emit('rules', { _id: r.service, match: r.match, code: r.code }),
  },
  settings: {
    select: 'SELECT * FROM settings ORDER BY key',
    into: 'settings',
    copy: (r, emit) => emit('settings', { _id: r.key, value: r.value }),
  },
  announcements: {
    select: 'SELECT * FROM announcements ORDER BY id',
    into: 'announcements',
    copy: (r, emit) => emit('announcements', { _id: r.id, text: r.text, at: r.at }),
  },
  sims: {
    // The rowid is the allocation's walking order on SQLite; as the seq it stays so on MongoDB, and
    // simSeqs holds each, so a SIM seen for the first time gets the next one.
    select: 'SELECT rowid AS seq, * FROM sims ORDER BY rowid',
    into: 'sims',
    copy(r, emit) {
      emit('sims', {
        _id: r.iccid, seq: r.seq, imsi: r.imsi, phone: r.phone, country: r.country, operator: r.operator, channel: r.channel,
        slot: r.slot, canForward: r.can_forward === 1, online: r.online === 1, standby: r.standby === 1, seenAt: r.seen_at,
      });
      emit('simSeqs', { _id: r.seq, iccid: r.iccid });
    },
  },
  sim_services: {
    // One row says both things MongoDB keeps apart: a use for good (`used`) and a live activation's hold
    // (`activation_id`); a repeat's row has both. SQLite keeps no time for a use; a hold dates from its order.
    select: `SELECT c.*, a.created_at AS held_at FROM sim_services c LEFT JOIN activations a ON a.id = c.activation_id
      ORDER BY c.iccid, c.service`,
    into: 'claims',
    copy(r, emit, look) {
      const iccid = r.iccid as string;
      const service = r.service as string;
      if (r.used === 1) emit('claims', { _id: useId(iccid, service), kind: 'use', iccid, service, at: null });
      if (r.activation_id !== null) {
        emit('claims', {
          _id: holdId(iccid, service), kind: 'hold', iccid, service, activationId: r.activation_id,
          viaStandby: look.online.get(iccid) === false, at: r.held_at,
        });
      }
    },
    // A row is copied when its (SIM, service) has a hold or a use; rent holds are counted with the rents.
    async counted(m) {
      const claims = await m.claims.find({ kind: { $in: ['hold', 'use'] } }, { _id: 0, iccid: 1, service: 1 })
        .lean<{ iccid: string; service: string }[]>();
      return new Set(claims.map((c) => `${c.iccid}\n${c.service}`)).size;
    },
  },
  blacklist: {
    select: 'SELECT * FROM blacklist ORDER BY account_id, phone',
    into: 'blacklist',
    copy: (r, emit) => emit('blacklist', { _id: `${r.account_id}|${r.phone}`, accountId: r.account_id, phone: r.phone, at: r.at }),
  },
  channels: {
    select: 'SELECT * FROM channels ORDER BY id',
    into: 'channels',
    copy: (r, emit) => emit('channels', {
      _id: r.id, state: r.state, slot: r.slot, iccid: r.iccid, phone: r.phone, operator: r.operator,
      registered: r.registered === 1, signalDbm: r.signal_dbm, lastError: r.last_error, updatedAt: r.updated_at,
    }),
  },
  sim_moves: {
    select: 'SELECT * FROM sim_moves ORDER BY id',
    into: 'moves',
    copy: (r, emit) => emit('moves', {
      _id: r.id, iccid: r.iccid, fromChannel: r.from_channel, fromSlot: r.from_slot, toChannel: r.to_channel, toSlot: r.to_slot,
      requestedBy: r.requested_by, at: r.at, doneAt: r.done_at,
    }),
  },
  activations: {
    // What the order fixed, and its newest version `<id>:<version>` (the one a save compares against;
    // older versions carry nothing the adapter reads).
    select: 'SELECT * FROM activations ORDER BY id',
    into: 'activations',
    copy(r, emit) {
      emit('activations', {
        _id: r.id, accountId: r.account_id, service: r.service, iccid: r.iccid, phone: r.phone, country: r.country,
        operator: r.operator, price: r.price, forwarding: r.forwarding === 1, dialect: r.dialect, createdAt: r.created_at,
        expiresAt: r.expires_at, remaining: r.remaining, repeatOf: r.repeat_of,
        chainKey: chainKey(r), live: r.live === 1,
      });
      emit('versions', {
        _id: `${r.id}:${r.version}`, activationId: r.id, version: r.version, state: r.state, live: r.live === 1, code: r.code,
        messages: JSON.parse(r.messages as string), nextId: r.next_id, snapshot: r.snapshot, at: r.updated_at,
      });
    },
  },
  pool_tickets: {
    // Each ticket as its version 0, as the adapter inserts it; the copy carries its newest state.
    select: 'SELECT * FROM pool_tickets ORDER BY tzid',
    into: 'poolTickets',
    copy: (r, emit) => emit('poolTickets', {
      _id: `${r.tzid}:0`, tzid: r.tzid, v: 0, accountId: r.account_id, service: r.service, filter: JSON.parse(r.filter as string),
      createdAt: r.created_at, until: r.until, state: r.state, activationId: r.activation_id, triedAt: r.tried_at,
      leaseUntil: r.lease_until,
    }),
  },
  referrals: {
    select: 'SELECT * FROM referrals ORDER BY activation_id',
    into: 'referrals',
    copy: (r, emit) => emit('referrals', {
      _id: r.activation_id, partnerId: r.partner_id, commission: r.commission, at: r.at, paidAt: r.paid_at,
    }),
  },
  forwardings: {
    select: 'SELECT * FROM forwardings ORDER BY activation_id',
    into: 'forwardings',
    copy: (r, emit) => emit('forwardings', {
      _id: r.activation_id, accountId: r.account_id, iccid: r.iccid, phone: r.phone, to: r.to_number, state: r.state,
      error: r.error, attempts: r.attempts, requestedAt: r.requested_at, doneAt: r.done_at,
    }),
  },
  sms: {
    select: 'SELECT * FROM sms ORDER BY id',
    into: 'sms',
    copy: (r, emit) => emit('sms', {
      _id: r.id, fingerprint: r.fingerprint, iccid: r.iccid, phone: r.phone, sender: r.sender, text: r.text,
      receivedAt: r.received_at, activationIds: JSON.parse(r.activation_ids as string),
    }),
  },
  rents: {
    select: 'SELECT * FROM rents ORDER BY id',
    into: 'rents',
    copy: copyRent,
  },
  events: {
    // `data` is JSON text on both sides. Ids kept: a live client resumes with since=<last id it saw>.
    select: 'SELECT * FROM events ORDER BY id',
    into: 'events',
    copy: (r, emit) => emit('events', { _id: r.id, at: r.at, topic: r.topic, type: r.type, accountId: r.account_id, data: r.data }),
  },
  webhooks: {
    select: 'SELECT * FROM webhooks ORDER BY account_id',
    into: 'webhooks',
    copy: (r, emit) => emit('webhooks', { _id: r.account_id, url: r.url, secret: r.secret, updatedAt: r.updated_at }),
  },
  webhook_deliveries: {
    select: 'SELECT * FROM webhook_deliveries ORDER BY id',
    into: 'deliveries',
    copy(r, emit) {
      emit('deliveries', {
        _id: r.id, key: r.key, accountId: r.account_id, url: r.url, body: r.body, state: r.state, attempts: r.attempts,
        dueAt: r.due_at, lastError: r.last_error, createdAt: r.created_at, doneAt: r.done_at,
      });
      // The turns the adapter would have taken: one per attempt made, and `final` once it ended,
      // so a late finish of an ended delivery changes nothing, as on SQLite.
      for (let n = 1; n <= (r.attempts as number); n++) emit('deliveryTurns', { _id: `${r.id}:${n}`, at: r.created_at });
      if (r.state !== 'pending') emit('deliveryTurns', { _id: `${r.id}:final`, at: r.done_at });
    },
  },
} satisfies Record<string, TableCopy>;

export type Table = keyof typeof plan;

/**
 * A rent: SQLite keeps its totals (price, hours, end, extensions); MongoDB its order plus one document
 * per extension. Each extension keeps its charge (from the ledger) so the next one is number n+1 under
 * a fresh ledger key; SQLite does not keep each extension's hours, so they stay in the rent's own
 * document, and the record the adapter reads adds up to the same totals.
 */
function copyRent(r: Row, emit: Emit, look: Lookups) {
  const id = r.id as number;
  const extensions = Array.from({ length: r.extensions as number }, (_, i) => {
    const charge = look.extensions.get(`rent-extend:${id}:${i + 1}`);
    return { n: i + 1, price: charge ? -charge.amount : 0, at: charge?.at ?? (r.updated_at as number) };
  });
  const extra = extensions.reduce((sum, x) => sum + x.price, 0);
  const live = r.live === 1;
  emit('rents', {
    _id: id, accountId: r.account_id, iccid: r.iccid, phone: r.phone, country: r.country, operator: r.operator,
    service: r.service, dialect: r.dialect, price: (r.price as number) - extra, hours: r.hours, createdAt: r.created_at,
    endsAt: r.ends_at, live,
  });
  emit('rentVersions', {
    _id: `${id}:${r.version}`, rentId: id, version: r.version, state: r.state, live, messages: JSON.parse(r.messages as string),
    snapshot: r.snapshot, at: r.updated_at,
  });
  for (const x of extensions) {
    emit('rentExtensions', { _id: `${id}:${x.n}`, rentId: id, n: x.n, hours: 0, addMs: 0, price: x.price, charged: true, at: x.at });
  }
  // A live rent holds its SIM whole.
  if (live) {
    emit('claims', {
      _id: rentHoldId(r.iccid as string), kind: 'rent', iccid: r.iccid, service: '*', rentId: id,
      viaStandby: look.online.get(r.iccid as string) === false, at: r.created_at,
    });
  }
}

/** An activation's once-only key on MongoDB (mongo/activations.ts): a count=N step's, a pool ticket's, or its own. */
function chainKey(r: Row): string {
  if (r.chain_of !== null) return `chain:${r.chain_of}`;
  return r.ticket === null || r.ticket === undefined ? `own:${r.id}` : `ticket:${r.ticket}`;
}
