import type { RentState } from '../../../actors/index.ts';

/**
 * Rent's protocol words. The spec's getRent* actions answer bare words (its
 * own, lower-case ones included); sms-activate's rent actions wrap every error
 * as `{"status":"error","message":…}` (protocol-notes §1.3, §6.10).
 */
export const rentWords = {
  rented: (phone: string) => `success: ${phone}`,
  noBalance: 'too low balance',
  noNumbers: 'no numbers',
  tryAgain: 'error, please try again',
  listEmpty: 'RENT_LIST_EMPTY',
  wrongNumber: 'WRONG_NUMBER',
} as const;

export const rentErrors = {
  noRent: 'NO_ID_RENT',
  badStatus: 'INCORECT_STATUS', // sic: sms-activate's spelling
  cantCancel: 'CANT_CANCEL',
  badTime: 'INVALID_TIME',
  badService: 'BAD_SERVICE',
  badCountry: 'BAD_COUNTRY',
  noBalance: 'NO_BALANCE',
  noNumbers: 'NO_NUMBERS',
  waitingForSms: 'STATUS_WAIT_CODE',
  ended: 'RENT_DIE',
  notOnSale: 'OUT_OF_STOCK',
} as const;

/** getRentStatus of a rent that is over; a live one answers its SMS. */
export const rentEndedStatus: Record<RentState, string | undefined> = {
  renting: undefined,
  cancelling: 'STATUS_CANCEL',
  cancelled: 'STATUS_CANCEL',
  finished: 'STATUS_FINISH',
  expired: 'STATUS_FINISH',
};

/** setRentStatus on a rent that is over already. */
export const rentAlreadyOver: Record<RentState, string> = {
  renting: 'ALREADY_FINISH', // only while its end is being stored
  cancelling: 'ALREADY_CANCEL',
  cancelled: 'ALREADY_CANCEL',
  finished: 'ALREADY_FINISH',
  expired: 'ALREADY_FINISH',
};

/** setRentStatus's status numbers. */
export const rentCommand: Readonly<Record<string, 'finish' | 'cancel'>> = { '1': 'finish', '2': 'cancel' };
