import { formatRubles, russianNumber, type ActivationView, type BalanceAnswer, type ClientCommand } from '../../../../actors/index.ts';
import { word, type Answer } from '../../answer.ts';
import { fail, type Action, type Call } from '../call.ts';

/** getNumberBalance's words, one per answer the domain gives (the spec's; sms-activate has no such action). */
const balanceWords: Record<BalanceAnswer['kind'], (a: BalanceAnswer) => string> = {
  accepted: () => 'ORDER_ACCEPTED',
  balance: (a) => `NUM_BALANCE: ${formatRubles(a.kind === 'balance' ? a.amount : 0)}`,
  wrongNumber: () => 'WRONG_NUMBER',
  cannot: () => 'CANT_GET_BALANCE_FROM_THIS_NUMBER',
  temporary: () => 'TEMPORARY_ERROR',
};

/**
 * The balance of a number this account used with call forwarding, read by
 * the operator's USSD in the background: `ORDER_ACCEPTED` until the reply is
 * in (clients ask again every 10 s or so), then `NUM_BALANCE: 100.00`.
 */
export const getNumberBalance: Action = async (call) => {
  const num = call.params.get('num')?.replace(/^\+/, '');
  if (!num || !/^\d{5,15}$/.test(num) || !call.gw.lines) return word(balanceWords.wrongNumber({ kind: 'wrongNumber' }));
  const answer = await call.gw.lines.balance.ask(call.account.id, num);
  return word(balanceWords[answer.kind](answer));
};

/** Commands after which forwarding makes no sense: the number is given back. */
const ending: ReadonlySet<ClientCommand> = new Set(['client.cancel', 'client.numberUsed']);

/**
 * setStatus's `forward=<number>` (only for an activation ordered with
 * forward=1), checked before the status is taken so a refusal changes
 * nothing: `BAD_STATUS` for a number that is not Russian or not a number, for
 * an activation ordered without forwarding, or one that has ended (the spec
 * lists no other word for setStatus). `forward=0` counts as absent, and so
 * does any forward with a cancel. Undefined: go on.
 */
export async function forwardRefusal(call: Call, id: number, command: ClientCommand): Promise<Answer | undefined> {
  const to = forwardParam(call, command);
  if (to === undefined) return undefined;
  const a = await call.gw.registry.view(call.account.id, id);
  if (!a) return fail(call, 'noActivation');
  if (!russianNumber(to) || !a.forwarding || !a.live || !call.gw.lines) return fail(call, 'badStatus');
  return undefined;
}

/** Once the status was taken: forwarding is stored as asked and set on the SIM in the background. */
export async function forwardAfter(call: Call, activation: ActivationView, command: ClientCommand): Promise<void> {
  const to = forwardParam(call, command);
  if (to === undefined || !call.gw.lines) return;
  await call.gw.lines.forwarder.request(activation, to);
}

function forwardParam(call: Call, command: ClientCommand): string | undefined {
  const to = call.params.get('forward');
  return to === undefined || to === '0' || ending.has(command) ? undefined : to;
}
