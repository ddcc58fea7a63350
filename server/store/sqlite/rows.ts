import type { Account, ActivationRecord, ChannelRecord, LedgerEntry, Sim, SimMove, SmsRecord } from '../../../actors/index.ts';
import type { RentRecord } from '../../../actors/index.ts';

/** Rows as SQLite returns them, mapped to the domain's records (snake_case → camelCase, 0/1 → boolean). */
type Row = Record<string, unknown>;

export interface Pick {
  iccid: string;
  phone: string;
  country: string;
  operator: string;
  price: number;
  holder: number | null;
}

export function maybe<T>(map: (row: unknown) => T, row: unknown): T | undefined {
  return row === undefined ? undefined : map(row);
}

export function account(row: unknown): Account {
  const r = row as Row;
  return {
    id: r.id as number, email: r.email as string, role: r.role as Account['role'], balance: r.balance as number,
    dialect: r.dialect as Account['dialect'], createdAt: r.created_at as number,
  };
}

export function ledger(row: unknown): LedgerEntry {
  const r = row as Row;
  return {
    id: r.id as number, accountId: r.account_id as number, amount: r.amount as number,
    balanceAfter: r.balance_after as number, reason: r.reason as LedgerEntry['reason'], ref: r.ref as string,
    key: r.key as string, note: r.note as string, at: r.at as number,
  };
}

export function sim(row: unknown): Sim {
  const r = row as Row;
  return {
    iccid: r.iccid as string, imsi: r.imsi as string, phone: r.phone as string, country: r.country as string,
    operator: r.operator as string, channel: r.channel as string, slot: r.slot as number,
    canForward: r.can_forward === 1, online: r.online === 1, standby: r.standby === 1, at: r.seen_at as number, seenAt: r.seen_at as number,
    usedFor: typeof r.used_for === 'string' ? (JSON.parse(r.used_for) as string[]).sort() : [],
  };
}

export function activation(row: unknown): ActivationRecord {
  const r = row as Row;
  return {
    id: r.id as number, accountId: r.account_id as number, service: r.service as string, iccid: r.iccid as string,
    phone: r.phone as string, country: r.country as string, operator: r.operator as string, price: r.price as number,
    forwarding: r.forwarding === 1, dialect: r.dialect as ActivationRecord['dialect'],
    createdAt: r.created_at as number, expiresAt: r.expires_at as number, remaining: r.remaining as number,
    repeatOf: (r.repeat_of as number | null) ?? null, state: r.state as ActivationRecord['state'],
    live: r.live === 1, code: (r.code as string | null) ?? null, messages: JSON.parse(r.messages as string),
    nextId: (r.next_id as number | null) ?? null,
    snapshot: r.snapshot === null ? null : JSON.parse(r.snapshot as string), version: r.version as number,
  };
}

export function sms(row: unknown): SmsRecord {
  const r = row as Row;
  return {
    id: r.id as number, fingerprint: r.fingerprint as string, iccid: r.iccid as string, phone: r.phone as string,
    sender: r.sender as string, text: r.text as string, receivedAt: r.received_at as number,
    activationIds: JSON.parse(r.activation_ids as string),
  };
}

export function channel(row: unknown): ChannelRecord {
  const r = row as Row;
  return {
    id: r.id as string, state: r.state as string, slot: r.slot as number, iccid: (r.iccid as string | null) ?? null,
    phone: (r.phone as string | null) ?? null, operator: (r.operator as string | null) ?? null, registered: r.registered === 1,
    signalDbm: (r.signal_dbm as number | null) ?? null, lastError: (r.last_error as string | null) ?? null,
    updatedAt: r.updated_at as number,
  };
}

export function move(row: unknown): SimMove {
  const r = row as Row;
  return {
    id: r.id as number, iccid: r.iccid as string,
    from: { channel: r.from_channel as string, slot: r.from_slot as number },
    to: { channel: r.to_channel as string, slot: r.to_slot as number },
    requestedBy: r.requested_by as number, at: r.at as number, doneAt: (r.done_at as number | null) ?? null,
  };
}

export function rent(row: unknown): RentRecord {
  const r = row as Row;
  return {
    id: r.id as number, accountId: r.account_id as number, iccid: r.iccid as string, phone: r.phone as string,
    country: r.country as string, operator: r.operator as string, service: r.service as string,
    dialect: r.dialect as RentRecord['dialect'], price: r.price as number, hours: r.hours as number,
    extensions: r.extensions as number, createdAt: r.created_at as number, endsAt: r.ends_at as number,
    state: r.state as RentRecord['state'], live: r.live === 1,
    messages: JSON.parse(r.messages as string), snapshot: r.snapshot === null ? null : JSON.parse(r.snapshot as string),
    version: r.version as number,
  };
}
