import type { ActivationView, PoolTicket } from '../../../../actors/index.ts';
import { json, type Answer } from '../../answer.ts';
import { isAnswer, operationOf, serviceName, type Method } from '../call.ts';
import { error, messages, poolWord, stateWord } from '../words.ts';

/** getState's answer for an activation: `{"response","service","number"}`, plus `msg` once a code is there. */
export function describe(a: ActivationView): Record<string, string> {
  const row = stateWord[a.state];
  const answer: Record<string, string> = { response: row.response(a), service: serviceName(a.service), number: a.phone };
  if (row.msg && a.code !== null) answer.msg = a.code;
  return answer;
}

/** getState's answer for an order that has no number (yet). */
function pooled(ticket: PoolTicket): Answer {
  switch (ticket.state) {
    case 'noBalance':
      // The pool found a number but the account could no longer pay for it.
      return error(messages.lowBalance);
    case 'withdrawn':
      return json({ response: poolWord.withdrawn, service: serviceName(ticket.service) });
    case 'noNumbers':
      return json({ response: poolWord.noNumbers, service: serviceName(ticket.service) });
    default:
      // Only the word: sms-reg clients read `number` from the first answer that has one.
      return json({ response: poolWord.looking });
  }
}

export const getState: Method = async (call) => {
  const op = await operationOf(call);
  if (isAnswer(op)) return op;
  return op.ticket ? pooled(op.ticket) : json(describe(op.activation));
};
