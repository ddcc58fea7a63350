import { assign, fromPromise, setup } from 'xstate';
import type { SimIdentity } from '../../modems/index.ts';
import type { ChannelEvent, Registration, SimCheck } from './events.ts';

/**
 * One modem channel: a serial port with K SIM slots, one active. Its states
 * are what an operator needs to see; its effects (open the port, run the
 * start-up sequence, read the SIM, ask the network, sweep stored SMS, switch
 * the slot) are named here and supplied by the farm with `.provide()`.
 *
 * Every SMS path is one sweep: the start-up sweep, a `+CMTI` indication and
 * the periodic sweep all list what the SIM stores, store it, then delete it
 * (store, then delete). An indication during a sweep asks for one more.
 */
export interface ChannelContext {
  channel: string;
  slot: number;
  slots: number;
  sim: SimIdentity | null;
  operator: string | null;
  registered: boolean;
  signalDbm: number | null;
  lastError: string | null;
  /** Consecutive failures; the reconnect back-off grows with it. */
  failures: number;
  /** An indication came while a sweep ran: sweep once more. */
  again: boolean;
  /** A slot an operator asked for and the channel has not switched to yet. */
  wantedSlot: number | null;
}

export interface ChannelInput {
  channel: string;
  slot: number;
  /** SIM slots the channel has; the others are scanned once the port is up. */
  slots?: number;
}

// Also the keep-alive: an idle port that was unplugged is noticed at the next command (the binding may never say so).
const sweepEveryMs = 30_000;
const maxBackoffMs = 60_000;

/** 0–10 s, always the same for a channel. */
function jitterOf(channel: string): number {
  let h = 0;
  for (let i = 0; i < channel.length; i++) h = (h * 31 + channel.charCodeAt(i)) >>> 0;
  return h % 10_000;
}

export const channelMachine = setup({
  types: {} as { context: ChannelContext; events: ChannelEvent; input: ChannelInput },
  actors: {
    open: fromPromise<void, { channel: string }>(async () => {}),
    initialise: fromPromise<void, { channel: string }>(async () => {}),
    readSim: fromPromise<SimCheck, { channel: string; slot: number }>(async () => ({ status: 'absent' })),
    register: fromPromise<Registration, { channel: string }>(async () => ({ registered: false, operator: null, signalDbm: null })),
    sweep: fromPromise<number, { channel: string; iccid: string }>(async () => 0),
    switchSlot: fromPromise<void, { channel: string; slot: number }>(async () => {}),
    scanSlots: fromPromise<void, { channel: string; slot: number; slots: number }>(async () => {}),
  },
  delays: {
    // Each channel sweeps on its own beat (30–40 s, fixed per channel): a farm's channels, ready in the same
    // second, would otherwise all sweep in the same second forever.
    sweepEvery: ({ context }) => sweepEveryMs + jitterOf(context.channel),
    // 1 s, 2 s, 4 s … a minute at most: a flapping USB hub is not hammered.
    backoff: ({ context }) => Math.min(maxBackoffMs, 1000 * 2 ** context.failures),
  },
  guards: {
    switchWanted: ({ context }) => context.wantedSlot !== null && context.wantedSlot !== context.slot,
  },
  actions: {
    failed: assign(({ context, event }) => {
      const error = (event as { error?: unknown }).error;
      return { lastError: error instanceof Error ? error.message : String(error ?? 'failed'), failures: context.failures + 1 };
    }),
  },
}).createMachine({
  id: 'channel',
  context: ({ input }) => ({
    channel: input.channel, slot: input.slot, slots: input.slots ?? 1, sim: null, operator: null, registered: false, signalDbm: null,
    lastError: null, failures: 0, again: false, wantedSlot: null,
  }),
  initial: 'connecting',
  on: {
    'port.lost': { target: '.reconnecting', actions: assign({ lastError: ({ event }) => event.reason, registered: false }) },
    'signal.changed': { actions: assign({ signalDbm: ({ event }) => event.dbm }) },
    // Remembered whatever the channel is doing; taken up once it is somewhere a switch is safe (not mid-scan or mid-read).
    'slot.switch': { actions: assign({ wantedSlot: ({ event }) => event.slot }) },
  },
  states: {
    connecting: {
      invoke: { src: 'open', input: ({ context }) => ({ channel: context.channel }), onDone: 'initialising', onError: { target: 'reconnecting', actions: 'failed' } },
    },
    initialising: {
      invoke: {
        src: 'initialise',
        input: ({ context }) => ({ channel: context.channel }),
        onDone: [{ guard: ({ context }) => context.slots > 1, target: 'scanning' }, { target: 'simCheck' }],
        onError: { target: 'reconnecting', actions: 'failed' },
      },
    },
    // A multi-slot channel reads the SIM in each other slot once, then comes back to its own:
    // every SIM of the farm is known, whichever slot it sits in.
    scanning: {
      invoke: {
        src: 'scanSlots',
        input: ({ context }) => ({ channel: context.channel, slot: context.slot, slots: context.slots }),
        onDone: 'simCheck',
        onError: { target: 'simCheck', actions: 'failed' },
      },
    },
    simCheck: {
      invoke: {
        src: 'readSim',
        input: ({ context }) => ({ channel: context.channel, slot: context.slot }),
        onDone: [
          { guard: ({ event }) => event.output.status === 'ready', target: 'registering', actions: assign({ sim: ({ event }) => (event.output.status === 'ready' ? event.output.sim : null) }) },
          { guard: ({ event }) => event.output.status === 'busy', target: 'simBusy' },
          { guard: ({ event }) => event.output.status === 'locked', target: 'simLocked', actions: assign({ sim: null }) },
          { target: 'noSim', actions: assign({ sim: null }) },
        ],
        onError: { target: 'degraded', actions: 'failed' },
      },
    },
    // SIM busy right after a switch or a restart is normal (+CME ERROR: 14): ask again shortly.
    simBusy: { after: { 2000: 'simCheck' } },
    noSim: { always: { guard: 'switchWanted', target: 'switchingSlot' }, after: { 30_000: 'simCheck' }, on: { 'sim.changed': 'simCheck' } },
    simLocked: { always: { guard: 'switchWanted', target: 'switchingSlot' }, after: { 60_000: 'simCheck' } },
    registering: {
      invoke: {
        src: 'register',
        input: ({ context }) => ({ channel: context.channel }),
        onDone: [
          { guard: ({ event }) => event.output.registered, target: 'ready', actions: assign(({ event }) => ({ ...event.output })) },
          { target: 'searching', actions: assign(({ event }) => ({ ...event.output })) },
        ],
        onError: { target: 'degraded', actions: 'failed' },
      },
    },
    searching: { always: { guard: 'switchWanted', target: 'switchingSlot' }, after: { 5_000: 'registering' } },
    ready: {
      initial: 'sweeping',
      states: {
        sweeping: {
          entry: assign({ again: false }),
          on: { 'sms.indicated': { actions: assign({ again: true }) } },
          invoke: {
            src: 'sweep',
            input: ({ context }) => ({ channel: context.channel, iccid: context.sim?.iccid ?? '' }),
            // A sweep that worked is what "healthy" means: the failure count starts again.
            onDone: [
              { guard: ({ context }) => context.again, target: 'sweeping', reenter: true, actions: assign({ failures: 0, lastError: null }) },
              { target: 'idle', actions: assign({ failures: 0, lastError: null }) },
            ],
            onError: { target: '#channel.degraded', actions: 'failed' },
          },
        },
        idle: {
          // Switch only between sweeps: a sweep's deletes must never reach the next slot's SIM.
          always: { guard: 'switchWanted', target: '#channel.switchingSlot' },
          after: { sweepEvery: 'sweeping' },
          // A SIM pulled (or swapped) says so at once: read the slot now, so it is offline before it can be sold.
          // Mid-sweep there is no need: the sweep fails on a missing SIM and the channel reads the slot after it.
          on: { 'sms.indicated': 'sweeping', 'sim.changed': '#channel.simCheck' },
        },
      },
    },
    // Commands fail but the port is there: look again, and reconnect if it keeps failing.
    degraded: {
      always: [
        { guard: ({ context }) => context.failures >= 5, target: 'reconnecting' },
        { guard: 'switchWanted', target: 'switchingSlot' },
      ],
      after: { backoff: 'simCheck' },
    },
    switchingSlot: {
      entry: assign({ slot: ({ context }) => context.wantedSlot ?? context.slot, wantedSlot: null, sim: null, registered: false }),
      invoke: {
        src: 'switchSlot',
        input: ({ context }) => ({ channel: context.channel, slot: context.slot }),
        onDone: 'simCheck',
        onError: { target: 'degraded', actions: 'failed' },
      },
    },
    reconnecting: {
      entry: assign({ registered: false }),
      after: { backoff: 'connecting' },
    },
  },
});
