import type { NewSms, SmsRecord } from '../../../actors/index.ts';
import { IdSequence, isDuplicate } from './ids.ts';
import type { Models } from './models.ts';
import * as records from './records.ts';
import type { SmsDoc } from './records.ts';

/** Every SMS, kept once by its fingerprint (the unique index refuses a second copy). */
export class SmsLog {
  readonly #m: Models;
  readonly #ids: IdSequence;

  constructor(m: Models) {
    this.#m = m;
    this.#ids = new IdSequence(m.sms);
  }

  async save(sms: NewSms): Promise<{ sms: SmsRecord; duplicate: boolean }> {
    try {
      const id = await this.#ids.insert((id) => ({ _id: id, ...sms, activationIds: [] }));
      return { sms: { id, ...sms, activationIds: [] }, duplicate: false };
    } catch (err) {
      if (!isDuplicate(err)) throw err;
      const kept = await this.#m.sms.findOne({ fingerprint: sms.fingerprint }).lean<SmsDoc>();
      if (!kept) throw err;
      return { sms: records.sms(kept), duplicate: true };
    }
  }

  /** Written by the inbox of the process that read the SMS. */
  async link(smsId: number, activationIds: number[]) {
    await this.#m.sms.updateOne({ _id: smsId }, { $set: { activationIds } });
  }

  async ofSim(iccid: string, limit: number): Promise<SmsRecord[]> {
    return (await this.#m.sms.find({ iccid }).sort({ _id: -1 }).limit(limit).lean<SmsDoc[]>()).map(records.sms);
  }
}
