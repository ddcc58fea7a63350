import { rentHours, StoreError, type RentView } from '../../../../actors/index.ts';
import { json, word } from '../../answer.ts';
import { filterOf, type Action } from '../call.ts';
import { rentWords } from '../rent-words.ts';
import { getRentListOfSmsActivate } from './rent-sms-activate.ts';

/*
 * The spec's rent (getsms dialect): a number for 24 hours at the country's
 * rent price, every SMS it receives meanwhile, the list of live rents.
 */

/** A number for a day; `country` (the spec's words or a numeric id) may narrow it, absent = any. */
export const getRentOneDay: Action = async (call) => {
  const filter = filterOf(call);
  if (!filter) return word(rentWords.noNumbers);
  try {
    const r = await call.gw.rents.rent({
      accountId: call.account.id, filter, service: 'full', dialect: call.dialect, hours: rentHours.day,
    });
    if (r.ok) return word(rentWords.rented(r.rent.phone));
    return word(r.code === 'noBalance' ? rentWords.noBalance : rentWords.noNumbers);
  } catch (err) {
    // The spec's own word for a fault on our side; nothing was charged (the rent is one transaction).
    if (err instanceof StoreError) return word(rentWords.tryAgain);
    throw err;
  }
};

const seconds = (ms: number) => Math.floor(ms / 1000);

/** The caller's live rents; the two dialects answer in different shapes. */
export const getRentList: Action = async (call) => {
  if (call.dialect === 'smsActivate') return getRentListOfSmsActivate(call);
  const rents = await call.gw.rents.ofAccount(call.account.id);
  if (rents.length === 0) return word(rentWords.listEmpty);
  return json({
    response: '0',
    description: 'success',
    data: { rents: rents.map((r) => ({ number: Number(r.phone), time_start: seconds(r.createdAt), time_end: seconds(r.endsAt) })) },
  });
};

/** The caller's live rent on `number`, if it has one. */
export function liveRentOn(rents: RentView[], raw: string | undefined): RentView | undefined {
  const number = raw?.replace(/^\+/, '');
  return number === undefined ? undefined : rents.find((r) => r.phone === number);
}

/** The newest `count` SMS of the caller's live rent on `number` (all when `count` is absent), newest first. */
export const getRentNumberSMS: Action = async (call) => {
  const rent = liveRentOn(await call.gw.rents.ofAccount(call.account.id), call.params.get('number'));
  if (!rent) return word(rentWords.wrongNumber);
  const count = call.params.id('count');
  const newest = [...rent.messages].reverse().slice(0, count ?? rent.messages.length);
  return json({
    response: '0',
    items: newest.map((m) => ({ id_message: String(m.smsId), date: String(seconds(m.at)), sender: m.from, text: m.text })),
  });
};
