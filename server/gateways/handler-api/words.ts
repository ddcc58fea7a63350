import type { ActivationState, ActivationView, ClientCommand, Dialect } from '../../../actors/index.ts';

/**
 * handler_api.php's words, one column per dialect. `getsms` is the spec's own
 * (sms-area's); `smsActivate` is what today's sms-activate clients parse
 * (protocol-notes §4). Protocol words live here and nowhere else.
 */
type PerDialect<T> = Record<Dialect, T>;
type Say = (a: ActivationView) => string;

const same = (w: string): PerDialect<string> => ({ getsms: w, smsActivate: w });

export const errors = {
  noKey: same('NO_KEY'),
  badKey: same('BAD_KEY'),
  noAction: same('NO_ACTION'),
  badAction: same('BAD_ACTION'),
  sql: same('ERROR_SQL'),
  badService: same('BAD_SERVICE'),
  badCountry: same('BAD_COUNTRY'),
  badStatus: same('BAD_STATUS'),
  noActivation: same('NO_ACTIVATION'),
  wrongActivationId: { getsms: 'NO_ACTIVATION', smsActivate: 'WRONG_ACTIVATION_ID' },
  noNumbers: { getsms: 'NO_NUMBER', smsActivate: 'NO_NUMBERS' },
  noBalance: { getsms: 'NO_MEANS', smsActivate: 'NO_BALANCE' },
  doubleRetry: same('DOUBLE_RETRY'),
  earlyCancel: { getsms: 'BAD_STATUS', smsActivate: 'EARLY_CANCEL_DENIED' },
} satisfies Record<string, PerDialect<string>>;

const cancelled: PerDialect<Say> = { getsms: () => 'ACCESS_CANCEL', smsActivate: () => 'STATUS_CANCEL' };
const numberProblem: PerDialect<Say> = { getsms: () => 'STATUS_ERROR_NUMBER', smsActivate: () => 'STATUS_CANCEL' };
const finished: PerDialect<Say> = { getsms: (a) => `STATUS_ACCESS:${a.code ?? ''}`, smsActivate: () => 'STATUS_CANCEL' };

/** getStatus: one row per state, so a state without an answer does not compile. */
export const statusAnswer: Record<ActivationState, PerDialect<Say>> = {
  waitingForReady: { getsms: () => 'STATUS_WAIT_READY', smsActivate: () => 'STATUS_WAIT_CODE' },
  waitingForCode: { getsms: () => 'STATUS_WAIT_CODE', smsActivate: () => 'STATUS_WAIT_CODE' },
  codeArrived: { getsms: (a) => `STATUS_OK:${a.code ?? ''}`, smsActivate: (a) => `STATUS_OK:${a.code ?? ''}` },
  waitingForRetry: { getsms: () => 'STATUS_WAIT_RETRY', smsActivate: (a) => `STATUS_WAIT_RETRY:${a.code ?? ''}` },
  waitingForResend: { getsms: () => 'STATUS_WAIT_RESEND', smsActivate: () => 'STATUS_WAIT_RESEND' },
  cancelling: cancelled,
  cancelled,
  expiring: cancelled,
  expired: cancelled,
  rejecting: numberProblem,
  rejected: numberProblem,
  finishing: finished,
  finished,
};

/** The spec's activation status numbers, as getActiveActivations reports them. */
export const statusNumber: Record<ActivationState, string> = {
  waitingForReady: '0', waitingForCode: '1', codeArrived: '2', waitingForRetry: '3', waitingForResend: '5',
  cancelling: '8', cancelled: '8', expiring: '8', expired: '8', rejecting: '10', rejected: '10',
  finishing: '6', finished: '6',
};

/** setStatus: the status numbers each dialect accepts. sms-activate's 8 is cancel; the spec has no 8. */
export const setStatusCommand: PerDialect<Readonly<Record<string, ClientCommand>>> = {
  getsms: { '-1': 'client.cancel', '1': 'client.ready', '3': 'client.retry', '6': 'client.finish', '10': 'client.numberUsed' },
  smsActivate: {
    '-1': 'client.cancel', '8': 'client.cancel', '1': 'client.ready', '3': 'client.retry', '6': 'client.finish',
    '10': 'client.numberUsed',
  },
};

/** setStatus's answer once the command was taken. */
export const commandAnswer: Record<ClientCommand, PerDialect<Say>> = {
  'client.cancel': { getsms: () => 'ACCESS_CANCEL', smsActivate: () => 'ACCESS_CANCEL' },
  'client.ready': { getsms: () => 'ACCESS_READY', smsActivate: () => 'ACCESS_READY' },
  'client.retry': { getsms: () => 'ACCESS_RETRY_GET', smsActivate: () => 'ACCESS_RETRY_GET' },
  'client.finish': {
    // count=N: the spec answers with the next activation on the same number.
    getsms: (a) => (a.nextId !== null ? `ACCESS_NUMBER:${a.nextId}:${a.phone}` : 'ACCESS_ACTIVATION'),
    smsActivate: (a) => (a.nextId !== null ? `ACCESS_NUMBER:${a.nextId}:${a.phone}` : 'ACCESS_ACTIVATION'),
  },
  'client.numberUsed': { getsms: () => 'ACCESS_ERROR_NUMBER_GET', smsActivate: () => 'ACCESS_CANCEL' },
};
