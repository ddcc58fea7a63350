import { word } from '../../answer.ts';
import type { Action } from '../call.ts';

/*
 * Number balance over USSD and number rent need the modem operations that come
 * with the rent issue. Until then these actions give the spec's own word for
 * the truth of the case: no number of this account was ever used with
 * redirection, no rent exists, none can be made.
 */

export const getNumberBalance: Action = async () => word('WRONG_NUMBER');
export const getRentNumberSMS: Action = async () => word('WRONG_NUMBER');
export const getRentList: Action = async () => word('RENT_LIST_EMPTY');
export const getRentOneDay: Action = async () => word('no numbers');
