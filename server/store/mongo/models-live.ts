import { Schema, type Connection } from 'mongoose';
import { plain } from './plain.ts';

const event = new Schema({
  _id: Number,
  at: { type: Number, required: true },
  topic: String,
  type: String,
  accountId: { type: Number, default: null },
  data: { type: String, required: true }, // JSON text: any keys, exactly as given
  /** An event relayed from a version's outbox: `<version id>#<n>`, so a relay run again skips it. */
  source: { type: String, default: undefined },
}, plain);
event.index({ accountId: 1, _id: 1 });
event.index({ at: 1 });
event.index({ source: 1 });
/** The outbox a version document carries (see outbox.ts): its events as JSON, and `relay` until they are in the log. */
export const outboxPaths = {
  events: { type: String, default: undefined },
  relay: { type: Boolean, default: undefined },
};

/** `<version id>@<minute>`: the one process relaying a crashed writer's outbox in that minute. */
const relayTurn = new Schema({ _id: String, at: Number }, plain);
/** The highest event id ever given, kept by pruning so an emptied log never hands an id out again. */
const eventMark = new Schema({ _id: Number }, plain);

const webhook = new Schema({
  _id: Number, // account id
  url: { type: String, required: true },
  secret: { type: String, required: true },
  updatedAt: Number,
}, plain);

const delivery = new Schema({
  _id: Number,
  key: { type: String, required: true, unique: true },
  accountId: { type: Number, required: true },
  url: String,
  body: String,
  state: { type: String, default: 'pending' },
  attempts: { type: Number, default: 0 },
  dueAt: Number,
  lastError: { type: String, default: null },
  createdAt: Number,
  doneAt: { type: Number, default: null },
}, plain);
delivery.index({ state: 1, dueAt: 1, _id: 1 });
delivery.index({ accountId: 1, _id: -1 });
/** `<delivery>:<attempt>` taken by whoever leases that attempt; `<delivery>:final` by whoever finishes it. */
const deliveryTurn = new Schema({ _id: String, at: Number }, plain);

/** The live channel's event log and the webhook outbox. */
export function liveModels(conn: Connection) {
  return {
    events: conn.model('Event', event, 'events'),
    eventMarks: conn.model('EventMark', eventMark, 'eventMarks'),
    relayTurns: conn.model('RelayTurn', relayTurn, 'relayTurns'),
    webhooks: conn.model('Webhook', webhook, 'webhooks'),
    deliveries: conn.model('WebhookDelivery', delivery, 'webhookDeliveries'),
    deliveryTurns: conn.model('WebhookTurn', deliveryTurn, 'webhookTurns'),
  };
}
