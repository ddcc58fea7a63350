import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { ChannelSupervisor, Clock, Log, Store } from '../../actors/index.ts';
import {
  agentsPath, agentTokenHash, callTimeoutMs, parseHello, parseSms, simulatorTimeoutMs,
  type Call, type CallReply, type SimulatorCall, type SmsAck, type SmsHandover,
} from './protocol.ts';
import { AgentCallError, RemoteChannel, type AgentLink } from './remote-channel.ts';
import { RemoteFarm } from './remote-farm.ts';

export interface AgentHubOptions {
  store: Store;
  /** Runs the remote channels, beside the local ones. */
  channels: ChannelSupervisor;
  clock: Clock;
  log: Log;
  /** socket.io's ping: a silent agent is dropped after interval + timeout. */
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
}

interface AgentData {
  name: string;
  channels: { id: string; slots: number }[];
  simulator: boolean;
}

/** Frames from agents are calls' answers and SMS: 256 KiB is far past the largest (socket.io would allow 1 MB). */
const maxFrame = 256 * 1024;

/**
 * The server's end of the remote modem hosts: socket.io at `/agents` on the
 * HTTP server, each agent authenticated at connect by its token (refused there,
 * before any channel moves). Every channel an agent brings becomes a
 * RemoteChannel under the supervisor, once; a reconnect re-attaches the same
 * ones, so their actors, SIMs and history carry on. An agent that runs a
 * simulated farm brings it too, as a RemoteFarm the simulator endpoints reach.
 */
export class AgentHub {
  readonly #o: AgentHubOptions;
  readonly #remotes = new Map<string, RemoteChannel>();
  /** The socket each agent is connected through now. */
  readonly #connected = new Map<string, Socket>();
  /** The simulated farms of the agents connected now that run one, by agent name. */
  readonly #farms = new Map<string, RemoteFarm>();
  readonly #ios: Server[] = [];

  constructor(options: AgentHubOptions) {
    this.#o = options;
  }

  /** Answers agents on this HTTP(S) server, at /agents. */
  attach(http: HttpServer) {
    const io = new Server(http, {
      path: agentsPath, serveClient: false, transports: ['websocket'], maxHttpBufferSize: maxFrame,
      pingInterval: this.#o.pingIntervalMs ?? 10_000, pingTimeout: this.#o.pingTimeoutMs ?? 10_000,
      // Leave other upgrades (the live channel's /ws) to their own listener.
      destroyUpgrade: false,
    });
    io.use((socket, next) => {
      void this.#admit(socket).then(
        (refusal) => next(refusal === undefined ? undefined : Object.assign(new Error(refusal), { data: { code: 'AGENT_REFUSED' } })),
        (err: unknown) => {
          this.#o.log.error({ err }, 'agent admission failed');
          next(Object.assign(new Error('the server could not check the token'), { data: { code: 'AGENT_UNAVAILABLE' } }));
        },
      );
    });
    io.on('connection', (socket) => this.#welcome(socket));
    this.#ios.push(io);
  }

  /**
   * Until its agent is back, a remote host's SIM is not for sale: after a crash the store may still say
   * online for SIMs whose host never returns. Run once before any agent connects.
   */
  async start() {
    const { store, clock } = this.#o;
    const hosts = new Set((await store.agentTokens()).map((a) => `${a.name}/`));
    for (const sim of await store.sims()) {
      const remote = [...hosts].some((h) => sim.channel.startsWith(h));
      if (remote && (sim.online || sim.standby)) await store.setSimOnline(sim.iccid, false, clock.now());
    }
  }

  /** The simulated farms of the agents connected now (the simulator endpoints reach their SIMs through these). */
  farms(): RemoteFarm[] {
    return [...this.#farms.values()];
  }

  /** Drops every agent link (their channels go "agent offline"); the HTTP servers are closed by their owner. */
  async stop() {
    for (const io of this.#ios) {
      io.disconnectSockets(true);
      io.engine.close();
    }
  }

  /** The refusal's sentence, or undefined when the agent may connect. */
  async #admit(socket: Socket): Promise<string | undefined> {
    const hello = parseHello(socket.handshake.auth);
    if (typeof hello === 'string') return `refused: ${hello}`;
    const agent = await this.#o.store.agentByTokenHash(agentTokenHash(hello.token));
    if (!agent) {
      this.#o.log.warn({ address: socket.handshake.address }, 'agent refused: unknown or revoked token');
      return 'refused: unknown or revoked agent token';
    }
    (socket.data as AgentData) = { name: agent.name, channels: hello.channels, simulator: hello.simulator };
    return undefined;
  }

  #welcome(socket: Socket) {
    const { name, channels, simulator } = socket.data as AgentData;
    const { log } = this.#o;
    // The same agent again (a new link before the old one was noticed gone): the new one wins.
    this.#connected.get(name)?.disconnect(true);
    this.#connected.set(name, socket);
    const link = linkOf(socket);
    const mine: RemoteChannel[] = [];
    const fresh: RemoteChannel[] = [];
    for (const c of channels) {
      const id = `${name}/${c.id}`;
      let remote = this.#remotes.get(id);
      if (!remote) {
        remote = new RemoteChannel(name, c.id);
        this.#remotes.set(id, remote);
        fresh.push(remote);
      }
      mine.push(remote);
      remote.attach(link);
    }
    const slots = new Map(channels.map((c) => [`${name}/${c.id}`, c.slots]));
    this.#o.channels.start(fresh, (id) => slots.get(id) ?? 1);
    const farm = simulator ? new RemoteFarm(name, link.simulate) : undefined;
    if (farm) {
      this.#farms.set(name, farm);
      farm.refresh().catch((err: unknown) => log.warn({ err, agent: name }, "the agent's simulated slots not read"));
    }
    log.info({ agent: name, channels: channels.length, address: socket.handshake.address }, 'agent connected');

    const remoteOf = (channel: unknown) => (typeof channel === 'string' ? this.#remotes.get(`${name}/${channel}`) : undefined);
    socket.on('indication', (m: { channel?: unknown }) => remoteOf(m?.channel)?.emit('indication'));
    socket.on('sim', (m: { channel?: unknown; ready?: unknown }) => remoteOf(m?.channel)?.emit('sim', m?.ready === true));
    socket.on('lost', (m: { channel?: unknown; reason?: unknown }) => {
      const reason = typeof m?.reason === 'string' ? m.reason.slice(0, 300) : 'port lost';
      remoteOf(m?.channel)?.emit('lost', `${name}: ${reason}`);
    });
    socket.on('sms', (m: Partial<SmsHandover>, ack: unknown) => {
      if (typeof ack !== 'function') return;
      const remote = remoteOf(m?.channel);
      const sms = parseSms(m?.sms);
      if (!remote || !sms || typeof m.sweep !== 'string') return void ack({ stored: false } satisfies SmsAck);
      remote.receive(m.sweep, sms).then(
        (answer) => ack(answer),
        (err: unknown) => {
          log.error({ err, agent: name, channel: remote.id }, 'SMS from an agent not stored');
          ack({ stored: false } satisfies SmsAck);
        },
      );
    });
    socket.once('disconnect', (reason) => {
      if (this.#connected.get(name) === socket) this.#connected.delete(name);
      if (farm && this.#farms.get(name) === farm) this.#farms.delete(name);
      log.warn({ agent: name, reason }, 'agent disconnected');
      for (const remote of mine) remote.detach(link);
    });
  }
}

/**
 * Calls over one socket, each answered through its ack. A call still open
 * when the socket goes fails at once (socket.io would wait for its timeout).
 */
function linkOf(socket: Socket): AgentLink & { simulate(call: SimulatorCall): Promise<unknown> } {
  const open = new Set<(err: Error) => void>();
  socket.once('disconnect', () => {
    for (const fail of open) fail(new AgentCallError('AGENT_OFFLINE', 'agent offline'));
  });
  const ask = (event: string, body: object, what: string, timeoutMs: number) => new Promise<unknown>((resolve, reject) => {
    if (socket.disconnected) return reject(new AgentCallError('AGENT_OFFLINE', 'agent offline'));
    const fail = (err: Error) => {
      open.delete(fail);
      reject(err);
    };
    open.add(fail);
    socket.timeout(timeoutMs).emit(event, body, (err: Error | null, reply: CallReply) => {
      if (!open.has(fail)) return;
      open.delete(fail);
      if (err) return reject(new AgentCallError('AGENT_TIMEOUT', `the agent did not answer ${what} within ${timeoutMs / 1000} s`));
      if (!reply || typeof reply !== 'object') return reject(new AgentCallError('AGENT_BAD_REPLY', `the agent's answer to ${what} is not one`));
      if (reply.ok) resolve(reply.value);
      else reject(new AgentCallError(String(reply.code), String(reply.message)));
    });
  });
  return {
    call: (call: Call) => ask('call', call, call.op, callTimeoutMs[call.op]),
    simulate: (call: SimulatorCall) => ask('simulator', call, `simulator ${call.op}`, simulatorTimeoutMs[call.op]),
  };
}
