import type { ActivationState, ActivationView } from '../../../actors/index.ts';
import { json, type Answer } from '../answer.ts';

/**
 * API #2's words (sms-reg's `METHOD.php`): the spec's messages and getState's
 * answers. Protocol words live here and nowhere else. Every JSON value is a
 * string: sms-reg clients concatenate them (`'tzid is ' + tzid`) and compare
 * `response` with `"1"` (protocol-notes §4).
 */

/** `error_msg` texts, exactly as the spec (and BAS's regexes) spell them. */
export const messages = {
  noKey: 'ERROR_NO_KEY',
  wrongKey: 'ERROR_WRONG_KEY',
  lowBalance: 'WARNING_LOW_BALANCE',
  noService: 'Service not define',
  noTzid: 'There is no TZID value',
  /** No such method: worded like the spec's "Service not define". */
  noMethod: 'Method not define',
  /** A storage fault or the per-IP limit: API #1's "temporary, try again" word, in this dialect's JSON form. */
  temporary: 'ERROR_SQL',
  noOperations: 'No active tranzactions', // sic, as sms-reg spells it
} as const;

/** `{"response":"1",…}`: success, with string values only. */
export const ok = (fields: Record<string, string> = {}): Answer => json({ response: '1', ...fields });

/** `{"response":"ERROR","error_msg":"…"}`. */
export const error = (message: string): Answer => json({ response: 'ERROR', error_msg: message });

/** `%mn% to this TZID not applicable`, with the method's name filled in. */
export const notApplicable = (method: string): Answer => error(`${method} to this TZID not applicable`);

/** `There is no %param% value`, with the parameter's name filled in. */
export const noValue = (param: string): Answer => error(`There is no ${param} value`);

/** getNumRepeat's own `response` values (the spec): 0 impossible, 1 done, 3 number busy. */
export const repeatAnswer = {
  impossible: (): Answer => json({ response: '0' }),
  busy: (): Answer => json({ response: '3' }),
} as const;

/** What getState says of an order still in the pool (no number assigned yet) or given up on. */
export const poolWord = {
  looking: 'TZ_INPOOL',
  noNumbers: 'WARNING_NO_NUMS',
  withdrawn: 'TZ_DELETED',
} as const;

interface StateWord {
  response: (a: ActivationView) => string;
  /** Whether the answer carries the code as `msg` (clients wait for `msg` to appear, so never before a code). */
  msg: boolean;
}

const word = (w: string, msg = false): StateWord => ({ response: () => w, msg });

const over = {
  ok: word('TZ_OVER_OK', true),
  // sms-reg: "operation deleted, funds returned" — a cancel (setOperationOver before a code, API #1's -1/8).
  deleted: word('TZ_DELETED'),
  // sms-reg: the number was marked as an error (setOperationUsed, API #1's 10); refunded, blacklisted.
  marked: word('TZ_OVER_GR'),
  // No SMS within the activation's lifetime (refunded); TZ_OVER_NR when setReady never came.
  empty: { response: (a: ActivationView) => (a.readied === false ? 'TZ_OVER_NR' : 'TZ_OVER_EMPTY'), msg: false },
};

/** getState: one row per domain state, so a state without an answer does not compile. */
export const stateWord: Record<ActivationState, StateWord> = {
  waitingForReady: word('TZ_NUM_PREPARE'),
  waitingForCode: word('TZ_NUM_WAIT'),
  // API #1's status 5 (waiting for a resend) has no word of its own in sms-reg: still waiting for the SMS.
  waitingForResend: word('TZ_NUM_WAIT'),
  codeArrived: word('TZ_NUM_ANSWER', true),
  waitingForRetry: word('TZ_NUM_WAIT2'),
  finishing: over.ok,
  finished: over.ok,
  cancelling: over.deleted,
  cancelled: over.deleted,
  rejecting: over.marked,
  rejected: over.marked,
  expiring: over.empty,
  expired: over.empty,
};
