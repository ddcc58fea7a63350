import { io, type Socket } from 'socket.io-client';
import type { Log } from '../../actors/index.ts';
import type { IncomingSms, ModemChannel } from '../../modems/index.ts';
import { Outbox } from './outbox.ts';
import {
  agentsPath, smsAckTimeoutMs, type Call, type CallReply, type SimulatorCall, type SmsAck, type SmsHandover,
} from './protocol.ts';

export interface AgentOptions {
  /** The central server's URL (`http://farm.example:8080`). */
  server: string;
  token: string;
  /** Where SMS wait on disk until the server has stored them. */
  dataDir: string;
  /** The local channels the server will drive, and each one's SIM slots. */
  channels: { channel: ModemChannel; slots: number }[];
  log: Log;
  /** The host's simulated farm, when its channels are one's: the server may text its SIMs and move them. */
  simulator?: (call: SimulatorCall) => Promise<unknown>;
  /** Called once when the server refuses the token (the agent then stops trying). */
  onRefused?: (reason: string) => void;
}

/** A failure on the agent's side, with a stable code the server sees as its call's error. */
class AgentError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/**
 * The remote end of a modem host: it connects to the server's /agents
 * endpoint with its token and runs, on its own serial channels, each call the
 * server makes. In a sweep every SMS goes to its disk first, then to the server,
 * and the modem deletes it only after the server's ack; SMS left on disk (a lost
 * link, a crash) go again at the channel's next sweep, and the server keeps each
 * once by its fingerprint.
 */
export class Agent {
  readonly #o: AgentOptions;
  readonly #outbox: Outbox;
  readonly #channels = new Map<string, ModemChannel>();
  #socket: Socket | undefined;
  #stopped = false;
  #retry: NodeJS.Timeout | undefined;

  constructor(options: AgentOptions) {
    this.#o = options;
    this.#outbox = new Outbox(options.dataDir);
    for (const { channel } of options.channels) this.#channels.set(channel.id, channel);
  }

  /** Starts connecting (and reconnecting, whenever the link goes) to the server. */
  async start() {
    await this.#outbox.open();
    const { log } = this.#o;
    for (const channel of this.#channels.values()) {
      channel.on('indication', () => this.#tell('indication', { channel: channel.id }));
      channel.on('lost', (reason) => this.#tell('lost', { channel: channel.id, reason }));
      // The modem says its SIM went or came (+CPIN, ^SIMST): the server reads the slot again at once.
      channel.on('sim', (ready) => this.#tell('sim', { channel: channel.id, ready }));
      // A message the modem pushed is on no SIM: kept on disk, it goes to the server at the channel's next sweep.
      channel.on('pushed', (sms) => {
        this.#outbox.put({ channel: channel.id, sms }).then(
          () => this.#tell('indication', { channel: channel.id }),
          (err: unknown) => log.error({ err, channel: channel.id }, 'pushed SMS not written to disk'),
        );
      });
    }
    const url = new URL(this.#o.server);
    const socket = io(url.origin, {
      path: agentsPath, transports: ['websocket'], reconnectionDelay: 500, reconnectionDelayMax: 5_000,
      auth: {
        token: this.#o.token, channels: this.#o.channels.map((c) => ({ id: c.channel.id, slots: c.slots })), simulator: this.#o.simulator !== undefined,
      },
    });
    this.#socket = socket;
    socket.on('connect', () => log.info({ server: url.origin, channels: this.#channels.size }, 'agent connected to the server'));
    socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
      if (err.data?.code === 'AGENT_REFUSED') {
        log.error({ server: url.origin, reason: err.message }, 'the server refused this agent');
        this.#o.onRefused?.(err.message);
        return;
      }
      log.warn({ server: url.origin, reason: err.message }, 'cannot reach the server; trying again');
      if (!socket.active) this.#again(socket); // a refusal socket.io does not retry by itself (the server's store was down)
    });
    socket.on('disconnect', (reason) => {
      log.warn({ server: url.origin, reason }, 'link to the server lost');
      if (reason === 'io server disconnect') this.#again(socket); // the server closed it (stopping, or a newer link): come back
    });
    socket.on('call', (call: Call, ack: (reply: CallReply) => void) => answer(this.#run(call), ack));
    socket.on('simulator', (call: SimulatorCall, ack: (reply: CallReply) => void) => {
      const simulator = this.#o.simulator;
      answer(simulator ? simulator(call) : Promise.reject(new AgentError('AGENT_NOT_SIMULATED', 'this agent drives real modems')), ack);
    });
  }

  async stop() {
    this.#stopped = true;
    clearTimeout(this.#retry);
    this.#socket?.disconnect();
    await Promise.all([...this.#channels.values()].map((c) => c.close().catch(() => {})));
  }

  #again(socket: Socket) {
    if (this.#stopped) return;
    clearTimeout(this.#retry);
    this.#retry = setTimeout(() => {
      if (!this.#stopped && !socket.connected) socket.connect();
    }, 1_000);
  }

  /** News for the server; dropped while the link is down (the server sweeps every channel when it comes back). */
  #tell(event: 'indication' | 'lost' | 'sim', body: object) {
    this.#socket?.volatile.emit(event, body);
  }

  async #run(call: Call): Promise<unknown> {
    const channel = this.#channels.get(call.channel);
    if (!channel) throw new AgentError('AGENT_NO_CHANNEL', `this agent has no channel ${call.channel}`);
    const { args } = call;
    switch (call.op) {
      case 'open': return channel.open();
      case 'close': return channel.close();
      case 'initialise': return channel.initialise();
      case 'readSim': return channel.readSim(slotOf(args.slot));
      case 'register': return channel.register();
      case 'switchSlot': return channel.switchSlot(slotOf(args.slot));
      case 'ussd': return channel.ussd(String(args.code));
      case 'setForwarding': return channel.setForwarding(typeof args.number === 'string' ? args.number : null);
      case 'forwarding': return channel.forwarding();
      case 'sweep': return this.#sweep(channel, String(args.iccid ?? ''), String(args.sweep ?? ''));
      default: throw new AgentError('AGENT_BAD_CALL', `no such call: ${String(call.op)}`);
    }
  }

  /** First what waits on disk for this channel (or for a channel this agent no longer has), then the SIM's storage. */
  async #sweep(channel: ModemChannel, iccid: string, sweep: string): Promise<number> {
    let n = 0;
    for (const w of await this.#outbox.waiting()) {
      if (w.channel !== channel.id && this.#channels.has(w.channel)) continue;
      await this.#handOver(channel.id, sweep, w.sms);
      n++;
    }
    return n + (await channel.sweep(iccid, (sms) => this.#handOver(channel.id, sweep, sms)));
  }

  /** Disk, then the server; resolves (and the modem may delete the SMS) only once the server has stored it. */
  async #handOver(channel: string, sweep: string, sms: IncomingSms) {
    await this.#outbox.put({ channel, sms });
    const ack = await this.#ask({ channel, sweep, sms });
    if (ack?.stored !== true) throw new AgentError('AGENT_NOT_STORED', 'the server did not store the SMS; it stays on the modem and on disk');
    await this.#outbox.done(sms.fingerprint);
  }

  #ask(handover: SmsHandover): Promise<SmsAck> {
    const socket = this.#socket;
    if (!socket?.connected) return Promise.reject(new AgentError('AGENT_OFFLINE', 'no link to the server'));
    return new Promise((resolve, reject) => {
      const down = () => reject(new AgentError('AGENT_OFFLINE', 'the link to the server went before its ack'));
      socket.once('disconnect', down);
      socket.timeout(smsAckTimeoutMs).emit('sms', handover, (err: Error | null, ack: SmsAck) => {
        socket.off('disconnect', down);
        if (err) reject(new AgentError('AGENT_TIMEOUT', 'the server did not ack the SMS in time'));
        else resolve(ack);
      });
    });
  }
}

/** A call's outcome through its ack: the value, or the failure's code and sentence. */
function answer(work: Promise<unknown>, ack: (reply: CallReply) => void) {
  if (typeof ack !== 'function') return;
  work.then(
    (value) => ack({ ok: true, value }),
    (err: unknown) => ack({
      ok: false, code: String((err as { code?: unknown }).code ?? 'AGENT_FAILED'), message: err instanceof Error ? err.message : String(err),
    }),
  );
}

function slotOf(slot: unknown): number {
  if (typeof slot !== 'number' || !Number.isInteger(slot) || slot < 1 || slot > 64) throw new AgentError('AGENT_BAD_CALL', 'slot must be 1…64');
  return slot;
}
