import type { ForwardingQuery, ForwardingRecord } from '../../../actors/index.ts';
import { put } from './ids.ts';
import type { Models } from './models.ts';

interface ForwardingDoc extends Omit<ForwardingRecord, 'activationId'> { _id: number }

/** Call forwarding asked for on activations' SIMs: one document per activation, its outcome written over. */
export class Forwardings {
  readonly #m: Models;

  constructor(m: Models) {
    this.#m = m;
  }

  async save(f: ForwardingRecord) {
    const { activationId, ...fields } = f;
    await put(this.#m.forwardings, activationId, fields);
  }

  async get(activationId: number): Promise<ForwardingRecord | undefined> {
    const d = await this.#m.forwardings.findById(activationId).lean<ForwardingDoc>();
    return d ? forwarding(d) : undefined;
  }

  async find(query: ForwardingQuery): Promise<ForwardingRecord[]> {
    const filter: Record<string, unknown> = {};
    if (query.accountId !== undefined) filter.accountId = query.accountId;
    if (query.phone !== undefined) filter.phone = query.phone;
    if (query.state !== undefined) filter.state = query.state;
    const docs = await this.#m.forwardings.find(filter).sort({ requestedAt: -1, _id: -1 }).limit(query.limit).lean<ForwardingDoc[]>();
    return docs.map(forwarding);
  }
}

function forwarding(d: ForwardingDoc): ForwardingRecord {
  return {
    activationId: d._id, accountId: d.accountId, iccid: d.iccid, phone: d.phone, to: d.to, state: d.state,
    error: d.error ?? null, attempts: d.attempts, requestedAt: d.requestedAt, doneAt: d.doneAt ?? null,
  };
}
