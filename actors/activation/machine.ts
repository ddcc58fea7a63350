import { assign, fromPromise, setup } from 'xstate';
import type { ActivationState, ReceivedSms, Settlement } from '../store.ts';
import type { ActivationEvent } from './events.ts';

/**
 * One activation (one order): its states are the reference protocol's statuses.
 * Effects are named here and supplied by the registry with `.provide()`:
 * `settle` (refund, SIM claim, blacklist; idempotent per activation) and
 * `continueOrder` (the next activation of a count=N order; idempotent too).
 * The deadline is an absolute time in context; `untilExpiry` is derived from
 * it, and `resume` re-arms it after a restore (XState does not re-arm `after`).
 */
export interface ActivationContext {
  id: number;
  accountId: number;
  service: string;
  iccid: string;
  phone: string;
  price: number;
  createdAt: number;
  expiresAt: number;
  remaining: number;
  repeatOf: number | null;
  /** sms-activate clients never send "ready": their activations start waiting for the code. */
  skipReady: boolean;
  code: string | null;
  messages: ReceivedSms[];
  nextId: number | null;
  /**
   * The client said "ready" (setStatus 1, setReady), or never had to: API #2
   * tells an activation that expired before "ready" (TZ_OVER_NR) from one that
   * got no SMS (TZ_OVER_EMPTY). Absent in snapshots taken before it existed.
   */
  readied?: boolean;
}

export type ActivationInput = Omit<ActivationContext, 'code' | 'messages' | 'nextId' | 'readied'>;

/**
 * Where a new activation rests first: repeats and sms-activate's clients skip
 * "ready". The store writes it with the order, so a new actor's first snapshot
 * need not be written again.
 */
export function firstState(c: Pick<ActivationContext, 'skipReady' | 'repeatOf'>): 'waitingForReady' | 'waitingForCode' {
  return c.skipReady || c.repeatOf !== null ? 'waitingForCode' : 'waitingForReady';
}

/** What an ended activation does to money, the SIM's claim and the blacklist. */
function settlement(
  context: ActivationContext,
  ending: 'cancel' | 'reject' | 'expire' | 'finish',
): Omit<Settlement, 'at'> {
  const gotCode = context.messages.length > 0;
  return {
    activationId: context.id,
    accountId: context.accountId,
    iccid: context.iccid,
    phone: context.phone,
    service: context.service,
    refund: gotCode ? 0 : context.price,
    // A repeat's SIM was already used for this service; a rejected number is useless for it.
    claim: gotCode || context.repeatOf !== null || ending === 'reject' ? 'used' : 'release',
    blacklist: ending === 'reject' || ending === 'expire',
  };
}

// The same SMS delivered twice (a re-read after a crash) changes nothing.
const sms = { 'sms.received': { guard: 'newSms', target: '#activation.codeArrived', actions: 'keepSms' } } as const;

export const activationMachine = setup({
  types: {} as {
    context: ActivationContext;
    events: ActivationEvent;
    input: ActivationInput;
  },
  actors: {
    settle: fromPromise<void, Omit<Settlement, 'at'>>(async () => {
      throw new Error('settle is provided by the registry');
    }),
    continueOrder: fromPromise<number | null, { activationId: number }>(async () => null),
  },
  actions: {
    keepSms: assign(({ context, event }) =>
      event.type === 'sms.received' ? { code: event.sms.code, messages: [...context.messages, event.sms] } : {},
    ),
  },
  delays: {
    untilExpiry: 0, // registry: expiresAt − clock.now()
  },
  guards: {
    hasMore: ({ context }) => context.remaining > 0,
    newSms: ({ context, event }) =>
      event.type === 'sms.received' && !context.messages.some((m) => m.smsId === event.sms.smsId),
  },
}).createMachine({
  id: 'activation',
  context: ({ input }) => ({
    ...input, code: null, messages: [], nextId: null, readied: firstState(input) === 'waitingForCode',
  }),
  initial: 'opening',
  states: {
    opening: {
      always: [
        { guard: ({ context }) => firstState(context) === 'waitingForCode', target: 'waitingForCode' },
        { target: 'waitingForReady' },
      ],
    },
    waitingForReady: {
      after: { untilExpiry: 'expiring' },
      on: {
        ...sms,
        'client.ready': { target: 'waitingForCode', actions: assign({ readied: true }) },
        'client.cancel': 'cancelling',
        'client.numberUsed': 'rejecting',
        resume: { target: 'waitingForReady', reenter: true },
      },
    },
    waitingForCode: {
      after: { untilExpiry: 'expiring' },
      on: {
        ...sms,
        'client.ready': { target: 'waitingForCode' },
        'client.retry': 'waitingForResend',
        'client.cancel': 'cancelling',
        'client.numberUsed': 'rejecting',
        resume: { target: 'waitingForCode', reenter: true },
      },
    },
    waitingForResend: {
      after: { untilExpiry: 'expiring' },
      on: {
        ...sms,
        'client.ready': 'waitingForCode',
        'client.cancel': 'cancelling',
        'client.numberUsed': 'rejecting',
        resume: { target: 'waitingForResend', reenter: true },
      },
    },
    codeArrived: {
      after: { untilExpiry: 'finishing' },
      on: {
        ...sms,
        'client.finish': 'finishing',
        'client.retry': 'waitingForRetry',
        resume: { target: 'codeArrived', reenter: true },
      },
    },
    waitingForRetry: {
      after: { untilExpiry: 'finishing' },
      on: {
        ...sms,
        'client.finish': 'finishing',
        resume: { target: 'waitingForRetry', reenter: true },
      },
    },
    cancelling: settling('cancel', 'cancelled'),
    rejecting: settling('reject', 'rejected'),
    expiring: settling('expire', 'expired'),
    finishing: {
      initial: 'settling',
      states: {
        settling: {
          invoke: {
            src: 'settle',
            input: ({ context }) => settlement(context, 'finish'),
            onDone: [{ guard: 'hasMore', target: 'continuing' }, { target: '#activation.finished' }],
            onError: 'retrying',
          },
        },
        continuing: {
          invoke: {
            src: 'continueOrder',
            input: ({ context }) => ({ activationId: context.id }),
            onDone: { target: '#activation.finished', actions: assign({ nextId: ({ event }) => event.output }) },
            onError: '#activation.finished',
          },
        },
        retrying: { after: { 1000: 'settling' } },
      },
      on: { resume: {} },
    },
    cancelled: { type: 'final' },
    rejected: { type: 'final' },
    expired: { type: 'final' },
    finished: { type: 'final' },
  },
});

function settling(ending: 'cancel' | 'reject' | 'expire', done: ActivationState) {
  return {
    initial: 'settling',
    states: {
      settling: {
        invoke: {
          src: 'settle' as const,
          input: ({ context }: { context: ActivationContext }) => settlement(context, ending),
          onDone: `#activation.${done}`,
          onError: 'retrying',
        },
      },
      // A store fault: try again; the settlement is idempotent.
      retrying: { after: { 1000: 'settling' } },
    },
    on: { resume: {} },
  };
}
