import { assign, fromPromise, setup } from 'xstate';
import type { RentRefund, RentSms, RentState } from '../store.ts';
import type { RentEvent } from './events.ts';

/**
 * One rented number. While `renting` every SMS its SIM receives is kept; the
 * rent ends by itself at `endsAt` (no refund), or earlier when the client
 * finishes it, or cancels it early (refunded, see `cancellable`). Like the
 * activation machine, the deadline is absolute in context and `resume`
 * re-arms it after a restore; effects are supplied by the registry.
 */
export interface RentContext {
  id: number;
  accountId: number;
  iccid: string;
  phone: string;
  createdAt: number;
  endsAt: number;
  /** Everything charged so far (the rent and its extensions): what an early cancel gives back. */
  price: number;
  /** How long after the start a cancel is still refunded, when no SMS came (sms-activate: 20 minutes). */
  cancelWindowMs: number;
  /** Oldest first. */
  messages: RentSms[];
}

export type RentInput = Omit<RentContext, 'messages'>;

export const rentMachine = setup({
  types: {} as { context: RentContext; events: RentEvent; input: RentInput },
  actors: {
    refund: fromPromise<void, Omit<RentRefund, 'at'>>(async () => {
      throw new Error('refund is provided by the registry');
    }),
  },
  actions: {
    keepSms: assign(({ context, event }) => (event.type === 'sms.received' ? { messages: [...context.messages, event.sms] } : {})),
    extend: assign(({ event }) => (event.type === 'rent.extended' ? { endsAt: event.endsAt, price: event.price } : {})),
  },
  delays: {
    untilEnd: 0, // registry: endsAt − clock.now(), capped to what a timer can wait
  },
  guards: {
    // The same SMS delivered twice (a re-read after a crash) is kept once.
    newSms: ({ context, event }) => event.type === 'sms.received' && !context.messages.some((m) => m.smsId === event.sms.smsId),
    cancellable: ({ context, event }) =>
      event.type === 'client.cancel' && context.messages.length === 0 && event.at < context.createdAt + context.cancelWindowMs,
    // Registry: clock.now() ≥ endsAt. A timer longer than ~24.8 days cannot be set, so a long rent wakes up early and waits again.
    timeIsUp: () => true,
  },
}).createMachine({
  id: 'rent',
  context: ({ input }) => ({ ...input, messages: [] }),
  initial: 'renting',
  states: {
    renting: {
      after: { untilEnd: [{ guard: 'timeIsUp', target: 'expired' }, { target: 'renting', reenter: true }] },
      on: {
        'sms.received': { guard: 'newSms', actions: 'keepSms' },
        'rent.extended': { target: 'renting', reenter: true, actions: 'extend' },
        'client.finish': 'finished',
        'client.cancel': { guard: 'cancellable', target: 'cancelling' },
        resume: { target: 'renting', reenter: true },
      },
    },
    cancelling: {
      initial: 'refunding',
      states: {
        refunding: {
          invoke: {
            src: 'refund',
            input: ({ context }) => ({ rentId: context.id, accountId: context.accountId, amount: context.price }),
            onDone: '#rent.cancelled',
            onError: 'retrying',
          },
        },
        // A store fault: try again; the refund is keyed by rent id.
        retrying: { after: { 1000: 'refunding' } },
      },
      on: { resume: {} },
    },
    cancelled: { type: 'final' },
    finished: { type: 'final' },
    expired: { type: 'final' },
  },
});

/** The domain state a snapshot is in (its top-level state). */
export function rentStateOf(value: unknown): RentState {
  return (typeof value === 'string' ? value : Object.keys(value as object)[0]) as RentState;
}
