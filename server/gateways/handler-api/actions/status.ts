import type { ActivationView } from '../../../../actors/index.ts';
import { json, word, type Answer } from '../../answer.ts';
import { fail, moscowTime, type Action, type Call } from '../call.ts';
import { commandAnswer, setStatusCommand, statusAnswer } from '../words.ts';
import { forwardAfter, forwardRefusal } from './lines.ts';

/** The caller's activation named by `id`, or the answer that says why there is none. */
function activationOf(call: Call): ActivationView | Answer | Promise<ActivationView | Answer> {
  const raw = call.params.get('id');
  const id = call.params.id('id');
  if (raw === undefined) return fail(call, 'noActivation');
  if (id === undefined) return fail(call, 'wrongActivationId');
  const found = call.gw.registry.view(call.account.id, id);
  return found instanceof Promise ? found.then((a) => a ?? fail(call, 'noActivation')) : (found ?? fail(call, 'noActivation'));
}

const isAnswer = (v: ActivationView | Answer): v is Answer => 'text' in v || 'json' in v;

export const getStatus: Action = async (call) => {
  const a = await activationOf(call);
  return isAnswer(a) ? a : word(statusAnswer[a.state][call.dialect](a));
};

export const setStatus: Action = async (call) => {
  const status = call.params.get('status');
  const command = status === undefined ? undefined : setStatusCommand[call.dialect][status];
  const raw = call.params.get('id');
  const id = call.params.id('id');
  if (raw === undefined) return fail(call, 'noActivation');
  if (id === undefined) return fail(call, 'wrongActivationId');
  if (!command) {
    // An unknown status for someone else's id must not reveal that the id exists.
    return (await call.gw.registry.view(call.account.id, id)) ? fail(call, 'badStatus') : fail(call, 'noActivation');
  }
  const refused = await forwardRefusal(call, id, command);
  if (refused) return refused;
  const earlyCancelRule = call.dialect === 'smsActivate' && (await call.gw.store.setting('earlyCancelDenied')) === 'on' &&
    !(await simPulled(call, id));
  const r = await call.gw.registry.command(call.account.id, id, command, earlyCancelRule);
  if (!r.ok) {
    return fail(call, r.code === 'noActivation' ? 'noActivation' : r.code === 'earlyCancel' ? 'earlyCancel' : 'badStatus');
  }
  await forwardAfter(call, r.activation, command);
  return word(commandAnswer[command][call.dialect](r.activation));
};

/**
 * The activation's SIM is out of the farm (pulled, or its modem gone): it can receive nothing until it is back,
 * so sms-activate's early-cancel rule, which protects a number that works, does not hold its client to it.
 */
async function simPulled(call: Call, id: number): Promise<boolean> {
  const a = await call.gw.registry.view(call.account.id, id);
  const sim = a ? await call.gw.store.simByIccid(a.iccid) : undefined;
  return sim !== undefined && !sim.online && !sim.standby;
}

const ended = (a: ActivationView) => !a.live;

/** sms-activate's JSON status: the last SMS with its code; an ended activation is still `STATUS_CANCEL`. */
export const getStatusV2: Action = async (call) => {
  const a = await activationOf(call);
  if (isAnswer(a)) return a;
  if (ended(a) && a.state !== 'finished') return word('STATUS_CANCEL');
  const last = a.messages.at(-1);
  return json({
    verificationType: 0,
    sms: last ? { dateTime: moscowTime(last.at), code: last.code, text: last.text } : null,
    call: null,
  });
};

/** sms-activate's full text of the last SMS. */
export const getFullSms: Action = async (call) => {
  const a = await activationOf(call);
  if (isAnswer(a)) return a;
  const last = a.messages.at(-1);
  if (last) return word(`FULL_SMS:${last.text}`);
  return word(ended(a) ? 'STATUS_CANCEL' : 'STATUS_WAIT_CODE');
};
