import { EventEmitter } from 'node:events';
import type { IncomingSms, ModemChannel, ModemChannelEvents, Registration, SimCheck } from '../../modems/index.ts';
import type { Call, CallOp, SmsAck } from './protocol.ts';

/** What a remote channel reaches its agent through: one connected socket (see AgentHub). */
export interface AgentLink {
  call(call: Call): Promise<unknown>;
}

/** A call that could not reach the agent or that the agent refused, with a stable code (`AGENT_OFFLINE`, or the driver's `AT_*`). */
export class AgentCallError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'AgentCallError';
  }
}

/** What operators read while the host is away (the channel's `lastError`). */
export const agentOffline = 'agent offline';

/**
 * A modem channel on a remote host, driven through its agent: the ModemChannel
 * port, each call a request the agent runs on its own AtChannel. The supervisor
 * drives it exactly as a local one. While the agent is away `open` waits for
 * it to come back, so the channel shows "agent offline" until then and catches
 * up at once when the agent reconnects.
 */
export class RemoteChannel extends EventEmitter<ModemChannelEvents> implements ModemChannel {
  /** `<agent>/<channel>`: which host the channel lives on is part of its name. */
  readonly id: string;
  readonly host: string;
  /** The channel's id on its agent. */
  readonly local: string;
  #link: AgentLink | undefined;
  #waiting: { resolve: () => void; reject: (err: Error) => void }[] = [];
  /** Sweeps in flight, by id: where the SMS each hands over go. */
  readonly #sweeps = new Map<string, (sms: IncomingSms) => Promise<void>>();
  #sweepSeq = 0;

  constructor(host: string, local: string) {
    super();
    this.host = host;
    this.local = local;
    this.id = `${host}/${local}`;
  }

  get online(): boolean {
    return this.#link !== undefined;
  }

  /** The agent (re)connected with this channel. */
  attach(link: AgentLink) {
    this.#link = link;
    for (const w of this.#waiting.splice(0)) w.resolve();
  }

  /** The agent's link went: whatever ran on it failed, and the channel is lost until it is back. */
  detach(link: AgentLink) {
    if (this.#link !== link) return;
    this.#link = undefined;
    this.#sweeps.clear();
    this.emit('lost', agentOffline);
  }

  /** An SMS the agent hands over during a sweep: stored through that sweep's store before the ack. */
  async receive(sweep: string, sms: IncomingSms): Promise<SmsAck> {
    const store = this.#sweeps.get(sweep);
    if (!store) return { stored: false }; // that sweep ended here (timed out, link lost): the agent keeps the SMS
    await store(sms);
    return { stored: true };
  }

  async open() {
    if (!this.#link) {
      await new Promise<void>((resolve, reject) => this.#waiting.push({ resolve, reject }));
    }
    await this.#call('open');
  }

  async close() {
    for (const w of this.#waiting.splice(0)) w.reject(new AgentCallError('AGENT_CLOSED', 'the channel was closed'));
    if (this.#link) await this.#call('close').catch(() => {});
  }

  async initialise() {
    await this.#call('initialise');
  }

  async readSim(slot: number): Promise<SimCheck> {
    return (await this.#call('readSim', { slot })) as SimCheck;
  }

  async register(): Promise<Registration> {
    return (await this.#call('register')) as Registration;
  }

  async sweep(iccid: string, store: (sms: IncomingSms) => Promise<void>): Promise<number> {
    const sweep = `${++this.#sweepSeq}`;
    this.#sweeps.set(sweep, store);
    try {
      return (await this.#call('sweep', { iccid, sweep })) as number;
    } finally {
      this.#sweeps.delete(sweep);
    }
  }

  async switchSlot(slot: number) {
    await this.#call('switchSlot', { slot });
  }

  async ussd(code: string): Promise<string> {
    return (await this.#call('ussd', { code })) as string;
  }

  async setForwarding(number: string | null) {
    await this.#call('setForwarding', { number });
  }

  async forwarding(): Promise<string | null> {
    return (await this.#call('forwarding')) as string | null;
  }

  #call(op: CallOp, args: Call['args'] = {}): Promise<unknown> {
    const link = this.#link;
    if (!link) return Promise.reject(new AgentCallError('AGENT_OFFLINE', `${agentOffline}: ${this.host}`));
    return link.call({ channel: this.local, op, args });
  }
}
