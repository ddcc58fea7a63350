import { Schema, type Connection } from 'mongoose';
import { agentModels } from './agents.ts';
import { liveModels, outboxPaths } from './models-live.ts';
import { rentModels } from './models-rent.ts';
import { plain } from './plain.ts';
import { poolTicketModels } from './pool-tickets.ts';

/**
 * The collections and the indexes their queries need. Indexes are declared
 * here and built once at open (autoIndex is off).
 *
 * Only two writes are atomic on every server this adapter supports (MongoDB,
 * and FerretDB 1.x, whose updates are a read, a change in memory and a write
 * back): inserting a document whose unique key is free, and deleting one. So
 * every decision that must be taken once — a ledger entry, a SIM's hold for a
 * service, an activation's next version, a webhook attempt — is the insert of
 * an immutable document under a unique key. Updates are kept for data with one
 * writer, or where the last writer may win (a SIM sighting, a price).
 */

const account = new Schema({
  _id: Number,
  email: { type: String, required: true, unique: true },
  role: { type: String, required: true },
  keyHash: { type: String, required: true, unique: true },
  dialect: { type: String, required: true },
  createdAt: { type: Number, required: true },
}, plain);

/**
 * The ledger is the balance: an account's balance is the `balanceAfter` of its
 * entry with the highest `seq`. A move inserts entry seq+1, so of two moves
 * read at the same balance only one lands; the other reads again.
 */
const ledgerEntry = new Schema({
  _id: Number,
  accountId: { type: Number, required: true },
  seq: { type: Number, required: true },
  amount: { type: Number, required: true },
  balanceAfter: { type: Number, required: true, min: 0 },
  reason: { type: String, required: true },
  ref: { type: String, required: true },
  key: { type: String, required: true, unique: true },
  note: { type: String, default: '' },
  at: { type: Number, required: true },
}, plain);
ledgerEntry.index({ accountId: 1, seq: 1 }, { unique: true });

const price = new Schema({
  _id: String, // `${service}|${country}`
  service: { type: String, required: true, index: true },
  country: { type: String, required: true },
  price: { type: Number, required: true, min: 0 },
}, plain);

const rule = new Schema({ _id: String, match: { type: String, required: true }, code: { type: String, default: null } }, plain);
const setting = new Schema({ _id: String, value: { type: String, required: true } }, plain);
const announcement = new Schema({ _id: Number, text: { type: String, required: true }, at: { type: Number, required: true } }, plain);
/** Single documents several processes watch: `keys` changes whenever a key or dialect does. */
const marker = new Schema({ _id: String, epoch: { type: String, required: true } }, plain);

const sim = new Schema({
  _id: String, // ICCID
  seq: { type: Number, required: true, unique: true }, // allocation walks SIMs in this order, from a cursor
  imsi: String,
  phone: { type: String, index: true },
  country: String,
  operator: String,
  channel: String,
  slot: Number,
  canForward: Boolean,
  online: Boolean,
  standby: Boolean,
  seenAt: Number,
}, plain);
sim.index({ online: 1, country: 1, seq: 1 });
sim.index({ standby: 1, seq: 1 });
sim.index({ channel: 1, standby: 1 });
sim.index({ channel: 1, slot: 1 });

/** SIM seqs, each taken by inserting it. */
const simSeq = new Schema({ _id: Number, iccid: String }, plain);

/**
 * A SIM's standing for a service, one document each: `h:<iccid>:<service>` while
 * a live activation holds it (inserted by the order: the insert is the claim,
 * so no SIM is sold twice for a service), `u:<iccid>:<service>` once it is used
 * up for that service for good, `r:<iccid>` while a live rent holds it whole.
 */
const claim = new Schema({
  _id: String,
  kind: { type: String, required: true, enum: ['hold', 'use', 'rent'] },
  iccid: { type: String, required: true },
  service: { type: String, required: true },
  activationId: { type: Number, default: null },
  rentId: { type: Number, default: null },
  /** Sold from a standby slot: the channel has to switch to it (a hint for the allocation's pre-filter). */
  viaStandby: { type: Boolean, default: false },
  at: Number,
}, plain);
claim.index({ iccid: 1, kind: 1 });
claim.index({ kind: 1, viaStandby: 1 });
claim.index({ activationId: 1 });
claim.index({ rentId: 1 });

const blacklist = new Schema({
  _id: String, // `${accountId}|${phone}`
  accountId: { type: Number, required: true, index: true },
  phone: { type: String, required: true },
  at: { type: Number, required: true },
}, plain);

/** What an order fixed; the changing part lives in `activationVersions`. */
const activation = new Schema({
  _id: Number,
  accountId: { type: Number, required: true },
  service: String,
  iccid: String,
  phone: String,
  country: String,
  operator: String,
  price: Number,
  forwarding: Boolean,
  dialect: String,
  createdAt: Number,
  expiresAt: Number,
  remaining: Number,
  repeatOf: { type: Number, default: null },
  /**
   * `chain:<previous id>` for the next activation of a count=N order, `ticket:<tzid>` for an sms-reg pool
   * ticket's (each made once), else `own:<id>`; an order voided gives its key back (`own:<id>` again).
   */
  chainKey: { type: String, required: true, unique: true },
  /** A query hint, only ever turned off; readers check it against the newest version. */
  live: { type: Boolean, required: true },
  /** A query hint: set when it began settling (a stopped process may have left it so). */
  settling: { type: Boolean, default: undefined },
  /** Set on an order never made (voided): listed and counted nowhere. */
  voided: { type: Boolean, default: undefined },
  /** Set while the order is being made; the reconciler voids orders left so by a crash. */
  pending: { type: Boolean, default: undefined },
  /** Wall-clock time the order began, for the reconciler's grace period. */
  openedAt: Number,
}, plain);
activation.index({ accountId: 1, _id: -1 });
activation.index({ live: 1, _id: 1 });
activation.index({ pending: 1 });

/**
 * One document per version of an activation, `<id>:<version>`: writing version
 * v+1 is inserting it, so of two writers that read version v only one succeeds.
 * Version 0 is written last by the order; until it exists the order is not made.
 */
const activationVersion = new Schema({
  _id: String,
  activationId: { type: Number, required: true },
  version: { type: Number, required: true },
  accountId: Number,
  phone: String,
  service: String,
  state: String,
  live: Boolean,
  code: { type: String, default: null },
  messages: { type: [Schema.Types.Mixed], default: [] },
  nextId: { type: Number, default: null },
  /** The actor snapshot as JSON text: its keys may hold `.` or `$`, which MongoDB field names may not. */
  snapshot: { type: String, default: null },
  /** Written by the reconciler for an order a crash left half made. */
  void: { type: Boolean, default: undefined },
  at: Number,
  ...outboxPaths,
}, plain);
activationVersion.index({ activationId: 1, version: -1 });
activationVersion.index({ relay: 1, at: 1 });
activationVersion.index({ accountId: 1, phone: 1, service: 1, code: 1 });

const sms = new Schema({
  _id: Number,
  fingerprint: { type: String, required: true, unique: true },
  iccid: { type: String, required: true },
  phone: String,
  sender: String,
  text: String,
  receivedAt: Number,
  activationIds: { type: [Number], default: [] },
}, plain);
sms.index({ iccid: 1, _id: -1 });

const channel = new Schema({
  _id: String,
  state: String,
  slot: Number,
  iccid: { type: String, default: null },
  phone: { type: String, default: null },
  operator: { type: String, default: null },
  registered: Boolean,
  signalDbm: { type: Number, default: null },
  lastError: { type: String, default: null },
  updatedAt: Number,
}, plain);

const move = new Schema({
  _id: Number,
  iccid: { type: String, required: true },
  fromChannel: String,
  fromSlot: Number,
  toChannel: String,
  toSlot: Number,
  requestedBy: Number,
  at: Number,
  doneAt: { type: Number, default: null },
}, plain);
move.index({ iccid: 1, doneAt: 1 });
move.index({ doneAt: 1, _id: -1 });

const password = new Schema({ _id: Number, hash: { type: String, required: true } }, plain);
const session = new Schema({
  _id: String, // SHA-256 of the cookie token
  accountId: { type: Number, required: true },
  createdAt: Number,
  expiresAt: { type: Number, required: true },
}, plain);
session.index({ accountId: 1, expiresAt: 1 });

const forwarding = new Schema({
  _id: Number, // activation id
  accountId: { type: Number, required: true },
  iccid: String,
  phone: String,
  to: String,
  state: { type: String, required: true },
  error: { type: String, default: null },
  attempts: Number,
  requestedAt: Number,
  doneAt: { type: Number, default: null },
}, plain);
forwarding.index({ accountId: 1, phone: 1, requestedAt: -1 });
forwarding.index({ state: 1, requestedAt: -1 });

const partner = new Schema({
  _id: Number, // account id
  code: { type: String, required: true, unique: true }, // lower case
  shareBp: { type: Number, required: true, min: 0, max: 10_000 },
  createdAt: Number,
  updatedAt: Number,
}, plain);
/** An activation ordered with a partner's ref: its commission fixed at the order, paid at the settlement. */
const referral = new Schema({
  _id: Number, // activation id
  partnerId: { type: Number, required: true },
  commission: { type: Number, required: true, min: 1 },
  at: Number,
  paidAt: { type: Number, default: null },
}, plain);
referral.index({ partnerId: 1, _id: -1 });

/** The models on one connection. */
export function models(conn: Connection) {
  return {
    accounts: conn.model('Account', account, 'accounts'),
    ledger: conn.model('LedgerEntry', ledgerEntry, 'ledger'),
    prices: conn.model('Price', price, 'prices'),
    rules: conn.model('Rule', rule, 'rules'),
    settings: conn.model('Setting', setting, 'settings'),
    announcements: conn.model('Announcement', announcement, 'announcements'),
    markers: conn.model('Marker', marker, 'markers'),
    sims: conn.model('Sim', sim, 'sims'),
    simSeqs: conn.model('SimSeq', simSeq, 'simSeqs'),
    claims: conn.model('Claim', claim, 'claims'),
    blacklist: conn.model('Blacklisted', blacklist, 'blacklist'),
    activations: conn.model('Activation', activation, 'activations'),
    versions: conn.model('ActivationVersion', activationVersion, 'activationVersions'),
    sms: conn.model('Sms', sms, 'sms'),
    channels: conn.model('Channel', channel, 'channels'),
    moves: conn.model('SimMove', move, 'simMoves'),
    passwords: conn.model('Password', password, 'passwords'),
    sessions: conn.model('Session', session, 'sessions'),
    forwardings: conn.model('Forwarding', forwarding, 'forwardings'),
    partners: conn.model('Partner', partner, 'partners'),
    referrals: conn.model('Referral', referral, 'referrals'),
    ...liveModels(conn),
    ...rentModels(conn),
    ...agentModels(conn),
    ...poolTicketModels(conn),
  };
}

export type Models = ReturnType<typeof models>;
