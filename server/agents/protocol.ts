import { hash, randomBytes } from 'node:crypto';
import type { CarriedSim, IncomingSms } from '../../modems/index.ts';

/**
 * The wire between the server and a remote modem host (an agent), over
 * socket.io at `/agents`. The server drives each remote channel as it drives a
 * local one: every ModemChannel call is a `call` the agent answers through its
 * ack. During a sweep the agent hands each SMS over as `sms` and deletes it
 * from the modem only once the ack says the server stored it.
 */
export const agentsPath = '/agents';

/** A token: 32 random bytes, hex; the store keeps its SHA-256 only. */
export function newAgentToken(): string {
  return randomBytes(32).toString('hex');
}

export function agentTokenHash(token: string): string {
  return hash('sha256', token, 'hex');
}

/** An agent's name: it prefixes its channels' ids (`rack-1/sim-001`), so it cannot hold a `/`. */
export const agentNamePattern = /^[A-Za-z0-9._-]{1,32}$/;
/** A channel's id on its agent: the port's path or the simulated farm's name. */
const channelIdPattern = /^[\w./@:-]{1,200}$/;

/** What an agent says of itself at connect (socket.io `auth`). */
export interface AgentHello {
  token: string;
  channels: { id: string; slots: number }[];
  /** Its channels are a simulated farm's: the server may act on it as the network and an operator's hands (`simulator`). */
  simulator: boolean;
}

/** The ModemChannel calls, by name: what `args` each takes. */
export type CallOp = 'open' | 'close' | 'initialise' | 'readSim' | 'register' | 'sweep' | 'switchSlot' | 'ussd' | 'setForwarding' | 'forwarding';

export interface Call {
  channel: string;
  op: CallOp;
  /** readSim/switchSlot: slot; sweep: iccid and the sweep's id; ussd: code; setForwarding: number. */
  args: { slot?: number; iccid?: string; sweep?: string; code?: string; number?: string | null };
}

export type CallReply = { ok: true; value?: unknown } | { ok: false; code: string; message: string };

/** An SMS handed over during sweep `sweep` of `channel`; the ack says whether the server stored it. */
export interface SmsHandover {
  channel: string;
  sweep: string;
  sms: IncomingSms;
}

export interface SmsAck {
  stored: boolean;
}

/** How long the server waits for each call before it counts as failed (a sweep reads a whole SIM and stores each SMS). */
export const callTimeoutMs: Record<CallOp, number> = {
  open: 30_000, close: 15_000, initialise: 90_000, readSim: 120_000, register: 60_000, sweep: 600_000,
  switchSlot: 30_000, ussd: 90_000, setForwarding: 45_000, forwarding: 45_000,
};

/**
 * What the server asks of an agent's simulated farm, as `simulator` with an
 * ack: the network texting one of its SIMs (`deliver`: false when it has no
 * SIM with that number or ICCID), its slots, and an operator's hands moving a
 * SIM within the farm (`move`), out of it (`take`) or into it (`insert`).
 * Channel names are the agent's own (`sim-001`).
 */
export type SimulatorCall =
  | { op: 'deliver'; to: string; from: string; text: string }
  | { op: 'slots' }
  | { op: 'move'; sim: string; channel: string; slot: number }
  | { op: 'take'; sim: string }
  | { op: 'insert'; carried: CarriedSim; channel: string; slot: number };

/** A deliver's answer comes once the server stored the SMS (the agent waits up to 15 s for its channel to read it). */
export const simulatorTimeoutMs: Record<SimulatorCall['op'], number> = { deliver: 30_000, slots: 10_000, move: 15_000, take: 15_000, insert: 15_000 };

/** How long an agent waits for the server to store one SMS. */
export const smsAckTimeoutMs = 60_000;

/** The agent's hello as the server accepts it, or a sentence saying what is wrong. */
export function parseHello(auth: unknown): AgentHello | string {
  const a = auth as Partial<AgentHello> | undefined;
  if (typeof a?.token !== 'string' || a.token.length === 0 || a.token.length > 200) return 'no token';
  if (!Array.isArray(a.channels) || a.channels.length > 4096) return 'channels must be a list';
  const channels: AgentHello['channels'] = [];
  for (const c of a.channels as unknown[]) {
    const { id, slots } = (c ?? {}) as { id?: unknown; slots?: unknown };
    if (typeof id !== 'string' || !channelIdPattern.test(id)) return 'a channel id is not a port path or name';
    if (typeof slots !== 'number' || !Number.isInteger(slots) || slots < 1 || slots > 64) return `channel ${id}: slots must be 1…64`;
    if (channels.some((k) => k.id === id)) return `channel ${id} is named twice`;
    channels.push({ id, slots });
  }
  if (a.simulator !== undefined && typeof a.simulator !== 'boolean') return 'simulator must be true or false';
  return { token: a.token, channels, simulator: a.simulator === true };
}

/** An SMS from an agent, checked field by field; undefined when it is not one. */
export function parseSms(value: unknown): IncomingSms | undefined {
  const s = value as Partial<Record<keyof IncomingSms, unknown>> | undefined;
  const text = (v: unknown, max: number) => typeof v === 'string' && v.length <= max;
  if (!text(s?.iccid, 32) || !text(s?.from, 64) || !text(s?.text, 20_000) || !text(s?.fingerprint, 200)) return undefined;
  if (typeof s?.receivedAt !== 'number' || !Number.isFinite(s.receivedAt)) return undefined;
  if ((s.iccid as string) === '' || (s.fingerprint as string) === '') return undefined;
  return { iccid: s.iccid as string, from: s.from as string, text: s.text as string, receivedAt: s.receivedAt, fingerprint: s.fingerprint as string };
}
