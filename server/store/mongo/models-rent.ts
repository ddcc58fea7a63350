import { Schema, type Connection } from 'mongoose';
import { outboxPaths } from './models-live.ts';
import { plain } from './plain.ts';

const rentPrice = new Schema({ _id: String, price: { type: Number, required: true, min: 0 } }, plain);
/** What a rent order fixed; its changing part lives in `rentVersions`, its extensions in `rentExtensions`. */
const rent = new Schema({
  _id: Number,
  accountId: { type: Number, required: true },
  iccid: String,
  phone: String,
  country: String,
  operator: String,
  service: String,
  dialect: String,
  price: Number,
  hours: Number,
  createdAt: Number,
  endsAt: Number,
  live: { type: Boolean, required: true },
  pending: { type: Boolean, default: undefined },
  openedAt: Number,
}, plain);
rent.index({ accountId: 1, _id: -1 });
rent.index({ live: 1, _id: 1 });
rent.index({ pending: 1 });
const rentVersion = new Schema({
  _id: String, // `<rent id>:<version>`, as activationVersions
  rentId: { type: Number, required: true },
  version: { type: Number, required: true },
  state: String,
  live: Boolean,
  messages: { type: [Schema.Types.Mixed], default: [] },
  snapshot: { type: String, default: null },
  void: { type: Boolean, default: undefined },
  at: Number,
  ...outboxPaths,
}, plain);
rentVersion.index({ rentId: 1, version: -1 });
rentVersion.index({ relay: 1, at: 1 });
/** `<rent id>:<n>`: the n-th extension, counted once its charge (`rent-extend:<id>:<n>`) stands. */
const rentExtension = new Schema({
  _id: String,
  rentId: { type: Number, required: true },
  n: { type: Number, required: true },
  hours: Number,
  addMs: Number,
  price: Number,
  charged: { type: Boolean, default: false },
  at: Number,
}, plain);
rentExtension.index({ rentId: 1, n: -1 });

/** Rented numbers. */
export function rentModels(conn: Connection) {
  return {
    rentPrices: conn.model('RentPrice', rentPrice, 'rentPrices'),
    rents: conn.model('Rent', rent, 'rents'),
    rentVersions: conn.model('RentVersion', rentVersion, 'rentVersions'),
    rentExtensions: conn.model('RentExtension', rentExtension, 'rentExtensions'),
  };
}
