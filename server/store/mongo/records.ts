import type {
  Account, ActivationRecord, ChannelRecord, LedgerEntry, ReceivedSms, Sim, SimMove, SmsRecord,
} from '../../../actors/index.ts';

/** Documents as the driver returns them (lean), mapped to the domain's records. */
export interface AccountDoc {
  _id: number; email: string; role: Account['role']; keyHash: string; dialect: Account['dialect']; createdAt: number;
}
export interface LedgerDoc {
  _id: number; accountId: number; seq: number; amount: number; balanceAfter: number; reason: LedgerEntry['reason'];
  ref: string; key: string; note: string; at: number;
}
export interface SimDoc {
  _id: string; seq: number; imsi: string; phone: string; country: string; operator: string; channel: string; slot: number;
  canForward: boolean; online: boolean; standby: boolean; seenAt: number;
}
export interface ActivationDoc {
  _id: number; accountId: number; service: string; iccid: string; phone: string; country: string; operator: string;
  price: number; forwarding: boolean; dialect: ActivationRecord['dialect']; createdAt: number; expiresAt: number;
  remaining: number; repeatOf: number | null; chainKey: string; live: boolean; pending?: boolean; openedAt: number;
}
export interface VersionDoc {
  _id: string; activationId: number; version: number; accountId: number; phone: string; service: string;
  state: ActivationRecord['state']; live: boolean; code: string | null; messages: ReceivedSms[]; nextId: number | null;
  snapshot: string | null; void?: boolean; at: number;
}
export interface SmsDoc {
  _id: number; fingerprint: string; iccid: string; phone: string; sender: string; text: string; receivedAt: number;
  activationIds: number[];
}
export interface ChannelDoc extends Omit<ChannelRecord, 'id'> { _id: string }
export interface MoveDoc {
  _id: number; iccid: string; fromChannel: string; fromSlot: number; toChannel: string; toSlot: number;
  requestedBy: number; at: number; doneAt: number | null;
}

export function account(d: AccountDoc, balance: number): Account {
  return { id: d._id, email: d.email, role: d.role, balance, dialect: d.dialect, createdAt: d.createdAt };
}

export function ledger(d: LedgerDoc): LedgerEntry {
  return {
    id: d._id, accountId: d.accountId, amount: d.amount, balanceAfter: d.balanceAfter, reason: d.reason, ref: d.ref,
    key: d.key, note: d.note ?? '', at: d.at,
  };
}

export function sim(d: SimDoc, usedFor: string[]): Sim {
  return {
    iccid: d._id, imsi: d.imsi, phone: d.phone, country: d.country, operator: d.operator, channel: d.channel, slot: d.slot,
    canForward: d.canForward, online: d.online, standby: d.standby, at: d.seenAt, seenAt: d.seenAt,
    usedFor: [...usedFor].sort(),
  };
}

/** An activation: what the order fixed, with its newest version. */
export function activation(d: ActivationDoc, v: VersionDoc): ActivationRecord {
  return {
    id: d._id, accountId: d.accountId, service: d.service, iccid: d.iccid, phone: d.phone, country: d.country,
    operator: d.operator, price: d.price, forwarding: d.forwarding, dialect: d.dialect, createdAt: d.createdAt,
    expiresAt: d.expiresAt, remaining: d.remaining, repeatOf: d.repeatOf ?? null, state: v.state, live: v.live,
    code: v.code ?? null, messages: v.messages ?? [], nextId: v.nextId ?? null,
    snapshot: v.snapshot === null || v.snapshot === undefined ? null : JSON.parse(v.snapshot), version: v.version,
  };
}

export function sms(d: SmsDoc): SmsRecord {
  return {
    id: d._id, fingerprint: d.fingerprint, iccid: d.iccid, phone: d.phone, sender: d.sender, text: d.text,
    receivedAt: d.receivedAt, activationIds: d.activationIds ?? [],
  };
}

export function channel(d: ChannelDoc): ChannelRecord {
  return {
    id: d._id, state: d.state, slot: d.slot, iccid: d.iccid ?? null, phone: d.phone ?? null, operator: d.operator ?? null,
    registered: d.registered, signalDbm: d.signalDbm ?? null, lastError: d.lastError ?? null, updatedAt: d.updatedAt,
  };
}

export function move(d: MoveDoc): SimMove {
  return {
    id: d._id, iccid: d.iccid, from: { channel: d.fromChannel, slot: d.fromSlot }, to: { channel: d.toChannel, slot: d.toSlot },
    requestedBy: d.requestedBy, at: d.at, doneAt: d.doneAt ?? null,
  };
}
