import type { ActivationView, KeyOwner, OrderOutcome, PoolTicket, ServiceDef, SimFilter } from '../../../actors/index.ts';
import { serviceById, serviceBySmsRegName } from '../../../actors/index.ts';
import type { Answer } from '../answer.ts';
import type { Gateway } from '../handler-api/index.ts';
import type { Params } from '../params.ts';
import type { OrderPool } from './pool.ts';
import { error, messages } from './words.ts';

/** One authenticated API #2 request: who asks, which method, with which parameters. */
export interface Call {
  /** The method's own name (`setOperationOk`), as error messages name it. */
  method: string;
  params: Params;
  account: KeyOwner;
  gw: Gateway;
  pool: OrderPool;
}

export type Method = (call: Call) => Promise<Answer>;

/** What a tzid names: an activation (also reachable through API #1), or an order still in the pool. */
export type Operation =
  | { tzid: string; activation: ActivationView; ticket?: undefined }
  | { tzid: string; ticket: PoolTicket; activation?: undefined };

/**
 * An API #2 order: always the spec's "ready" step first (TZ_NUM_PREPARE), one SMS, no forwarding. A pool
 * ticket's names it, so that the ticket gets one activation however often it is tried.
 */
export function order(call: Call, service: string, filter: SimFilter, ticket?: number): Promise<OrderOutcome> {
  return call.gw.registry.order({
    accountId: call.account.id, service, filter, forwarding: false, dialect: 'getsms', count: 1, ticket,
  });
}

/** Looks for a number for a ticket still in the pool (see OrderPool.look). */
export function lookFor(call: Call, ticket: PoolTicket): Promise<PoolTicket> {
  return call.pool.look(
    ticket,
    () => order(call, ticket.service, ticket.filter, ticket.tzid),
    // An activation made for a ticket withdrawn or run out meanwhile (a try outlived its lease): given back at once.
    async (id) => void (await call.gw.registry.command(call.account.id, id, 'client.cancel')),
  );
}

/**
 * The caller's operation named by `tzid`, or "There is no TZID value" (absent,
 * not a number, repeated, unknown, or someone else's). A ticket in the pool
 * looks for a number first, so every method sees it as current as it gets.
 */
export async function operationOf(call: Call): Promise<Operation | Answer> {
  const id = call.params.id('tzid');
  if (id === undefined) return error(messages.noTzid);
  const tzid = String(id);
  const found = await call.pool.get(call.account.id, id);
  if (found) {
    const ticket = await lookFor(call, found);
    if (ticket.activationId === null) return { tzid, ticket };
    const activation = await call.gw.registry.view(call.account.id, ticket.activationId);
    return activation ? { tzid, activation } : error(messages.noTzid);
  }
  const activation = await call.gw.registry.view(call.account.id, id);
  return activation ? { tzid, activation } : error(messages.noTzid);
}

export const isAnswer = (v: Operation | Answer): v is Answer => 'json' in v || 'text' in v;

/** The `service` parameter as an API #2 name (`telegram`, `Viber`, `mg`). */
export function serviceOf(call: Call): ServiceDef | undefined {
  const name = call.params.get('service');
  return name === undefined ? undefined : serviceBySmsRegName(name);
}

/**
 * The name API #2 answers for a service: its first sms-reg name. A service only
 * API #1's sms-activate dialect sells (ordered there, watched here) keeps its id.
 */
export function serviceName(serviceId: string): string {
  return serviceById(serviceId)?.smsReg?.[0] ?? serviceId;
}
