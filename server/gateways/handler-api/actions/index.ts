import type { Dialect } from '../../../../actors/index.ts';
import type { Action } from '../call.ts';
import { cleanblacklist, getActiveActivations, getBalance } from './account.ts';
import { getCountries, getNumbersStatus, getOperators, getPrices } from './catalogue.ts';
import { getNumber, getNumberV2, getRepeat } from './numbers.ts';
import { getNumberBalance } from './lines.ts';
import { getRentList, getRentNumberSMS, getRentOneDay } from './rent.ts';
import {
  continueRentNumber, getContinueRentPriceNumber, getRentNumber, getRentServicesAndCountries, getRentStatus, setRentStatus,
} from './rent-sms-activate.ts';
import { getFullSms, getStatus, getStatusV2, setStatus } from './status.ts';

/** The spec's actions, answered in both dialects. */
const spec: Record<string, Action> = {
  getBalance, getNumbersStatus, getPrices, getNumber, getRepeat, setStatus, getStatus, cleanblacklist,
  getNumberBalance, getRentNumberSMS, getRentList, getRentOneDay,
};

/** sms-activate's newer actions its clients call; the spec's dialect does not have them. */
const smsActivateOnly: Record<string, Action> = {
  getNumberV2, getActiveActivations, getStatusV2, getCountries, getOperators, getFullSms,
  getBalanceAndCashBack: getBalance,
  getRentServicesAndCountries, getRentNumber, getRentStatus, setRentStatus, continueRentNumber, getContinueRentPriceNumber,
};

/** The action a dialect answers under this name, if any. */
export function actionOf(dialect: Dialect, name: string): Action | undefined {
  if (Object.hasOwn(spec, name)) return spec[name];
  if (dialect === 'smsActivate' && Object.hasOwn(smsActivateOnly, name)) return smsActivateOnly[name];
  return undefined;
}
