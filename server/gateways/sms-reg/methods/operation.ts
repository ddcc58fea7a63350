import type { ActivationView, ClientCommand, PoolTicket } from '../../../../actors/index.ts';
import type { Answer } from '../../answer.ts';
import { isAnswer, operationOf, type Call, type Method } from '../call.ts';
import { error, messages, notApplicable, ok } from '../words.ts';

/**
 * The methods that move an operation, as the activation's own commands:
 * setReady = API #1's 1, setOperationOk = 6, setOperationRevise = 3 after a
 * code, setOperationUsed = 10, setOperationOver = 6 with a code, else -1.
 * A command the operation's state does not take answers
 * "<method> to this TZID not applicable".
 */

type Reply = (tzid: string) => Answer;

/** Runs a command on the tzid's activation; `pick` chooses it from the activation (undefined: not applicable). */
function moving(
  pick: (a: ActivationView) => ClientCommand | undefined,
  reply: Reply,
  /** What an order still in the pool does first: its answer, or the ticket as it then stands. */
  onTicket?: (call: Call, ticket: PoolTicket, tzid: string) => Promise<Answer | PoolTicket>,
): Method {
  return async (call) => {
    const op = await operationOf(call);
    if (isAnswer(op)) return op;
    let activation: ActivationView | undefined = op.activation;
    if (op.ticket) {
      const now = onTicket ? await onTicket(call, op.ticket, op.tzid) : op.ticket;
      if (!isTicket(now)) return now;
      // No number yet: nothing to move, unless the pool filled it meanwhile.
      if (now.activationId === null) return notApplicable(call.method);
      activation = await call.gw.registry.view(call.account.id, now.activationId);
    }
    if (!activation) return error(messages.noTzid);
    const command = pick(activation);
    if (!command) return notApplicable(call.method);
    const r = await call.gw.registry.command(call.account.id, activation.id, command);
    if (!r.ok) return r.code === 'noActivation' ? error(messages.noTzid) : notApplicable(call.method);
    return reply(op.tzid);
  };
}

const withTzid: Reply = (tzid) => ok({ tzid });
const always = (command: ClientCommand) => () => command;

/** "SMS sent, waiting for the code": `{"response":"1"}`. */
export const setReady = moving(always('client.ready'), () => ok());

/** The code was right: the operation is complete (TZ_OVER_OK). */
export const setOperationOk = moving(always('client.finish'), withTzid);

/** The code was wrong, send another (TZ_NUM_WAIT2): only once a code arrived. */
export const setOperationRevise = moving((a) => (a.state === 'codeArrived' ? 'client.retry' : undefined), withTzid);

/** The number was already used for the service: refunded, and blacklisted for this account (TZ_OVER_GR). */
export const setOperationUsed = moving(always('client.numberUsed'), withTzid);

/**
 * Ends the operation: complete when a code arrived (TZ_OVER_OK), else cancelled
 * and refunded (TZ_DELETED). An order still in the pool stops looking.
 */
export const setOperationOver = moving(
  (a) => (!a.live ? undefined : a.messages.length > 0 ? 'client.finish' : 'client.cancel'),
  withTzid,
  async (call, ticket, tzid) => {
    if (ticket.state === 'withdrawn') return notApplicable(call.method);
    const ended = await call.pool.withdraw(ticket);
    return ended.state === 'withdrawn' ? withTzid(tzid) : ended;
  },
);

const isTicket = (v: Answer | PoolTicket): v is PoolTicket => 'tzid' in v && 'state' in v;
