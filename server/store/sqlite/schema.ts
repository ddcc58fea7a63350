import type Database from 'better-sqlite3';

/**
 * Schema migrations, oldest first. `PRAGMA user_version` holds how many ran, so
 * opening an older data directory runs the rest, each in its own transaction.
 * Never edit a released step: append a new one.
 */
export const migrations: readonly string[] = [
  // 1: accounts, ledger, catalogue, SIMs, activations, SMS
  `
  CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    balance INTEGER NOT NULL DEFAULT 0 CHECK (balance >= 0),
    dialect TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE ledger (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    amount INTEGER NOT NULL,
    balance_after INTEGER NOT NULL,
    reason TEXT NOT NULL,
    ref TEXT NOT NULL,
    key TEXT NOT NULL UNIQUE,
    note TEXT NOT NULL DEFAULT '',
    at INTEGER NOT NULL
  );
  CREATE INDEX ledger_by_account ON ledger(account_id, id);
  CREATE TABLE prices (
    service TEXT NOT NULL,
    country TEXT NOT NULL,
    price INTEGER NOT NULL CHECK (price >= 0),
    PRIMARY KEY (service, country)
  ) WITHOUT ROWID;
  CREATE TABLE announcements (id INTEGER PRIMARY KEY, text TEXT NOT NULL, at INTEGER NOT NULL);
  CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
  CREATE TABLE sims (
    iccid TEXT PRIMARY KEY,
    imsi TEXT NOT NULL,
    phone TEXT NOT NULL,
    country TEXT NOT NULL,
    operator TEXT NOT NULL,
    channel TEXT NOT NULL,
    slot INTEGER NOT NULL,
    can_forward INTEGER NOT NULL,
    online INTEGER NOT NULL,
    seen_at INTEGER NOT NULL
  );
  CREATE INDEX sims_by_phone ON sims(phone);
  -- A SIM's standing for a service: held by a live activation, or used up for good.
  CREATE TABLE sim_services (
    iccid TEXT NOT NULL,
    service TEXT NOT NULL,
    activation_id INTEGER,
    used INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (iccid, service)
  ) WITHOUT ROWID;
  CREATE TABLE blacklist (
    account_id INTEGER NOT NULL,
    phone TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (account_id, phone)
  ) WITHOUT ROWID;
  CREATE TABLE activations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    service TEXT NOT NULL,
    iccid TEXT NOT NULL,
    phone TEXT NOT NULL,
    country TEXT NOT NULL,
    operator TEXT NOT NULL,
    price INTEGER NOT NULL,
    forwarding INTEGER NOT NULL,
    dialect TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    remaining INTEGER NOT NULL,
    repeat_of INTEGER,
    chain_of INTEGER UNIQUE,
    state TEXT NOT NULL,
    live INTEGER NOT NULL,
    code TEXT,
    messages TEXT NOT NULL DEFAULT '[]',
    next_id INTEGER,
    snapshot TEXT,
    version INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX activations_by_account ON activations(account_id, id);
  CREATE INDEX activations_live ON activations(live) WHERE live = 1;
  CREATE INDEX activations_by_number ON activations(account_id, phone, service);
  CREATE TABLE sms (
    id INTEGER PRIMARY KEY,
    fingerprint TEXT NOT NULL UNIQUE,
    iccid TEXT NOT NULL,
    phone TEXT NOT NULL,
    sender TEXT NOT NULL,
    text TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    activation_ids TEXT NOT NULL DEFAULT '[]'
  );
  CREATE INDEX sms_by_sim ON sms(iccid, id);
  `,
  // 2: per-service SMS rules that admins override without a code change
  `
  CREATE TABLE service_rules (
    service TEXT PRIMARY KEY,
    match TEXT NOT NULL,
    code TEXT
  ) WITHOUT ROWID;
  `,
  // 3: orders for one country walk that country's SIMs in order
  `
  CREATE INDEX sims_by_country ON sims(country);
  `,
  // 4: the live picture of each modem channel
  `
  CREATE TABLE channels (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    slot INTEGER NOT NULL,
    iccid TEXT,
    phone TEXT,
    operator TEXT,
    registered INTEGER NOT NULL,
    signal_dbm INTEGER,
    last_error TEXT,
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  // 5: SIM moves between slots, as operators ask for them
  `
  CREATE TABLE sim_moves (
    id INTEGER PRIMARY KEY,
    iccid TEXT NOT NULL,
    from_channel TEXT NOT NULL,
    from_slot INTEGER NOT NULL,
    to_channel TEXT NOT NULL,
    to_slot INTEGER NOT NULL,
    requested_by INTEGER NOT NULL,
    at INTEGER NOT NULL,
    done_at INTEGER
  );
  CREATE INDEX sim_moves_pending ON sim_moves(iccid) WHERE done_at IS NULL;
  `,
  // 6: a SIM waiting in an inactive slot of its channel, sold by switching the channel to it
  `
  ALTER TABLE sims ADD COLUMN standby INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX sims_standby_by_channel ON sims(channel) WHERE standby = 1;
  CREATE INDEX sims_by_channel ON sims(channel, slot);
  `,
  // 7: the live channel's event log, webhook URLs and their outbox
  `
  CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    topic TEXT NOT NULL,
    type TEXT NOT NULL,
    account_id INTEGER,
    data TEXT NOT NULL
  );
  CREATE INDEX events_by_account ON events(account_id, id);
  CREATE INDEX events_by_time ON events(at);
  CREATE TABLE webhooks (
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id),
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    account_id INTEGER NOT NULL,
    url TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    due_at INTEGER NOT NULL,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    done_at INTEGER
  );
  CREATE INDEX webhook_deliveries_due ON webhook_deliveries(due_at) WHERE state = 'pending';
  CREATE INDEX webhook_deliveries_by_account ON webhook_deliveries(account_id, id);
  `,
  // 8: number rent: a price per country for 24 hours, and the rents (actor snapshots, like activations)
  `
  CREATE TABLE rent_prices (
    country TEXT PRIMARY KEY,
    price INTEGER NOT NULL CHECK (price >= 0)
  ) WITHOUT ROWID;
  CREATE TABLE rents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    iccid TEXT NOT NULL,
    phone TEXT NOT NULL,
    country TEXT NOT NULL,
    operator TEXT NOT NULL,
    service TEXT NOT NULL,
    dialect TEXT NOT NULL,
    price INTEGER NOT NULL,
    hours INTEGER NOT NULL,
    extensions INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    state TEXT NOT NULL,
    live INTEGER NOT NULL,
    messages TEXT NOT NULL DEFAULT '[]',
    snapshot TEXT,
    version INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX rents_by_account ON rents(account_id, id);
  -- One live rent per SIM; the allocation's "not rented" checks read this index.
  CREATE UNIQUE INDEX rents_live_by_sim ON rents(iccid) WHERE live = 1;
  `,
  // 9: browser sign-in: password hashes, and sessions kept as their token's SHA-256
  `
  CREATE TABLE passwords (
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id),
    hash TEXT NOT NULL
  );
  CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX sessions_by_account ON sessions(account_id, expires_at);
  `,
  // 10: call forwarding set on activations' SIMs; partners (ref=) and the commission each referred activation earns
  `
  CREATE TABLE forwardings (
    activation_id INTEGER PRIMARY KEY REFERENCES activations(id),
    account_id INTEGER NOT NULL,
    iccid TEXT NOT NULL,
    phone TEXT NOT NULL,
    to_number TEXT NOT NULL,
    state TEXT NOT NULL,
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    requested_at INTEGER NOT NULL,
    done_at INTEGER
  );
  CREATE INDEX forwardings_by_number ON forwardings(account_id, phone, requested_at);
  CREATE INDEX forwardings_pending ON forwardings(state) WHERE state = 'pending';
  CREATE TABLE partners (
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id),
    code TEXT NOT NULL UNIQUE,
    share_bp INTEGER NOT NULL CHECK (share_bp BETWEEN 0 AND 10000),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE referrals (
    activation_id INTEGER PRIMARY KEY REFERENCES activations(id),
    partner_id INTEGER NOT NULL REFERENCES partners(account_id),
    commission INTEGER NOT NULL CHECK (commission > 0),
    at INTEGER NOT NULL,
    paid_at INTEGER
  );
  CREATE INDEX referrals_by_partner ON referrals(partner_id, activation_id);
  `,
  // 11: remote modem hosts (agents): one token per name, kept as its SHA-256; a revoked one stays listed
  `
  CREATE TABLE agent_tokens (
    name TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  ) WITHOUT ROWID;
  `,
  // 12: sms-reg's waiting orders (TZ_INPOOL), kept so that any process answers for them; an activation made
  // for one names it, once
  `
  CREATE TABLE pool_tickets (
    tzid INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL,
    service TEXT NOT NULL,
    filter TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    until INTEGER NOT NULL,
    state TEXT NOT NULL,
    activation_id INTEGER,
    tried_at INTEGER NOT NULL,
    lease_until INTEGER NOT NULL
  );
  CREATE INDEX pool_tickets_by_time ON pool_tickets(created_at);
  ALTER TABLE activations ADD COLUMN ticket INTEGER;
  CREATE UNIQUE INDEX activations_by_ticket ON activations(ticket) WHERE ticket IS NOT NULL;
  `,
];

/** Brings a database up to the newest schema; returns the version it found. */
export function migrate(db: Database.Database): number {
  const version = () => db.pragma('user_version', { simple: true }) as number;
  const found = version();
  if (found > migrations.length) {
    throw new Error(`data directory has schema ${found}, newer than this getsms (${migrations.length})`);
  }
  for (;;) {
    // IMMEDIATE, and the version read again inside: a server and the CLI opening
    // a new data directory at the same moment run each step once between them.
    const more = db.transaction(() => {
      const v = version();
      if (v >= migrations.length) return false;
      db.exec(migrations[v]!);
      db.pragma(`user_version = ${v + 1}`);
      return true;
    }).immediate();
    if (!more) return found;
  }
}
