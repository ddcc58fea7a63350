import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import {
  ActivationRegistry, ChannelSupervisor, Inbox, RentRegistry, SlotKeeper, seedCatalogue, systemClock, type Clock, type Log, type Store,
} from '../actors/index.ts';
import { AtChannel, loadPortConfig, portSpec, type FarmSimulator, type PortOptions } from '../modems/index.ts';
import { AgentHub, agentsPath } from './agents/index.ts';
import { firstStart } from './bootstrap.ts';
import type { Config } from './config.ts';
import { NoNumbersCache } from './gateways/index.ts';
import { createApp } from './http/app.ts';
import { startLines, type Lines } from './lines.ts';
import { LiveChannel, apiKeyAuthenticator } from './live/index.ts';
import { sessionAuthenticator } from './sessions/index.ts';
import { Webhooks } from './webhooks/index.ts';
import type { FarmCensus } from './pty-farm.ts';
import { autoResponder, startSimulation } from './simulation.ts';
import { Simulators } from './simulators.ts';
import { openStore } from './store/index.ts';

export interface System {
  url: string;
  port: number;
  tlsPort: number | undefined;
  store: Store;
  registry: ActivationRegistry;
  /** Rented numbers, one actor each. */
  rents: RentRegistry;
  /** The simulated farm (AT on pseudo-terminals, or in memory), when MODEM_PORTS is unset. */
  simulator: FarmSimulator | undefined;
  /** The serial modem channels: MODEM_PORTS, or the AT simulator's. */
  channels: ChannelSupervisor | undefined;
  /** Which farm runs; for a simulated one, how much of it was up when start-up finished, and why memory runs if AT was asked. */
  farm: { kind: 'serial' | 'at' | 'memory' | 'none'; census: FarmCensus | undefined; fellBack: string | undefined };
  /** The WebSocket live channel at /ws and its event log. */
  live: LiveChannel;
  webhooks: Webhooks;
  /** USSD (number balance) and call forwarding on sold numbers. */
  lines: Lines;
  /** The accounts made on first start, with their keys (shown once). */
  created: Awaited<ReturnType<typeof firstStart>>;
  restored: number;
  stop(): Promise<void>;
}

/** Wires the Store, the actors, the modem farm and the HTTP servers together, and starts them. */
export async function startSystem(config: Config, log: Log, clock: Clock = systemClock): Promise<System> {
  const ports = config.modemPorts.map((entry) => {
    const spec = portSpec(entry);
    if (!spec) throw new Error(`MODEM_PORTS entry "${entry}" is not a serial device path or path@baud (e.g. /dev/ttyUSB0@115200)`);
    return spec;
  });
  const store = await openStore(config);
  await seedCatalogue(store);
  const created = await firstStart(store, clock);
  const registry = new ActivationRegistry({ store, clock, log, ttlMs: config.activationTtlMs, shared: config.sharedStore });
  const rents = new RentRegistry({ store, clock, log, hourMs: config.rentHourMs, shared: config.sharedStore });
  // The live channel's journal follows the registry before anything moves (restore included); webhooks ride on it.
  const live = new LiveChannel({
    store, registry, rents, clock, log, ...config.live,
    authenticators: [apiKeyAuthenticator(store), sessionAuthenticator(store, () => clock.now())], // a key, else a browser session
  });
  const webhooks = new Webhooks({ store, clock, log, ...config.webhooks, keepMs: config.live.retentionMs });
  live.journal.onRecorded((e) => void webhooks.offer(e));
  rents.subscribe((news) => void webhooks.offerRent(news));
  await live.start();
  webhooks.start();
  const inbox = new Inbox({ store, registry, rents, log, news: live.farm.tell });
  await inbox.start();
  const restored = await registry.restore();
  await rents.restore(); // every live rent, its end re-armed from the absolute time
  // MODEM_PORTS set: only those real ports make the farm. Unset: the simulated farm (SIMULATOR).
  let simulator: FarmSimulator | undefined;
  let channels: ChannelSupervisor | undefined;
  let simulation: Awaited<ReturnType<typeof startSimulation>> | undefined;
  if (ports.length > 0) {
    channels = new ChannelSupervisor({ store, inbox, clock, log, news: live.farm.tell });
    const options = config.modemConfig ? loadPortConfig(config.modemConfig) : new Map<string, PortOptions>();
    channels.start(
      ports.map((p) => new AtChannel({ ...p, ...options.get(p.path) })),
      (id) => options.get(id)?.slots ?? 1,
    );
  } else if (config.simulator !== 'none') {
    simulation = await startSimulation({ config, store, inbox, clock, log, news: live.farm.tell });
    ({ simulator, channels } = simulation);
  }
  // Remote modem hosts (agents) bring their channels over /agents, beside the local ones (a supervisor of their own in memory mode).
  const farmChannels = channels ?? new ChannelSupervisor({ store, inbox, clock, log, news: live.farm.tell });
  const agents = new AgentHub({ store, channels: farmChannels, clock, log });
  live.leave(`${agentsPath}/`);
  await agents.start();
  // The simulator endpoints reach this server's simulated farm and those of agents that run one.
  const simulators = new Simulators({ local: simulator, farms: () => agents.farms(), channels: farmChannels, store, log });

  // Multi-slot channels follow their live activations to the slot each needs, and come home after.
  const keeper = new SlotKeeper({ store, registry, rents, channels: farmChannels, log, shared: config.sharedStore });
  await keeper.start();
  const lines = await startLines({ config, store, clock, log, channels: farmChannels, memory: simulation?.kind === 'memory' ? simulator : undefined });

  const gw = { store, registry, rents, clock, config, noNumbers: new NoNumbersCache(config.noNumbersCacheMs, () => clock.now()), lines };
  const apiDeps = {
    store, registry, rents, channels: farmChannels, farmNews: live.farm.tell, allowPrivateWebhooks: config.webhooks.allowPrivate,
    sharedStore: config.sharedStore,
    /** Read per request: there while a simulated farm is reachable (this server's, or a connected agent's). */
    get simulator() {
      return simulators.reachable ? simulators : undefined;
    },
  };
  const app = createApp(gw, apiDeps, log);
  const requests = inFlight(app.callback());
  const handler = requests.handler;
  const servers: Server[] = [];
  const http = createHttp(serverLimits, handler);
  servers.push(http);
  live.attach(http);
  agents.attach(http);
  await listen(http, config.port, config.host);
  let tlsPort: number | undefined;
  if (config.tls) {
    const https = createHttps({ ...serverLimits, cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) }, handler);
    servers.push(https);
    live.attach(https);
    agents.attach(https);
    await listen(https, config.tls.port, config.host);
    tlsPort = (https.address() as AddressInfo).port;
  }
  const stopResponder = config.simAutoSms > 0 ? autoResponder(registry, simulators, config.simAutoSms * 1000, log) : () => {};
  const port = (http.address() as AddressInfo).port;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  // Start-up ends once the simulated channels have read their SIMs, so the first order finds them.
  const farm: System['farm'] = simulation
    ? { kind: simulation.kind, census: await simulation.ready(60_000), fellBack: simulation.fellBack }
    : { kind: ports.length > 0 ? 'serial' : 'none', census: undefined, fellBack: undefined };
  const stopSync = config.sharedStore ? syncEvery(registry, rents, config.sharedSyncMs, log) : () => {};

  return {
    url: `http://${shownHost}:${port}`, port, tlsPort, store, registry, rents, simulator, channels, farm, created, restored,
    live, webhooks, lines,
    async stop() {
      stopResponder();
      stopSync();
      lines.stop();
      await live.stop(); // live connections are closed (1001) before the servers wait for their sockets
      await agents.stop();
      await webhooks.stop();
      keeper.stop();
      await Promise.all(servers.map((s) => new Promise<void>((done) => { s.close(() => done()); s.closeAllConnections(); })));
      // A request still being handled finishes before the actors and the store it uses go (10 s at most).
      await requests.drained(10_000);
      await farmChannels.stop(); // the channels let go of their ports before the simulated modems unplug
      await simulator?.stop();
      inbox.stop();
      await registry.stop();
      await rents.stop();
      await store.close();
    },
  };
}

/**
 * Slow clients (slowloris) hold a socket by dribbling headers or a body: a request's headers must arrive
 * within 10 s and the whole request within 30 s (Node's defaults are 60 s and 5 min, checked every 30 s),
 * checked every second. Idle keep-alive sockets close after 5 s (Node's default). No route streams a long
 * request; the live channel's WebSocket leaves these timers behind once upgraded.
 */
const serverLimits = { headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: 1_000, keepAliveTimeout: 5_000 };

/** Koa's request handler, counting the requests it is handling, so a stop can wait for them. */
function inFlight(handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>) {
  let running = 0;
  let idle: (() => void) | undefined;
  return {
    handler(req: IncomingMessage, res: ServerResponse) {
      running++;
      void handle(req, res).finally(() => {
        if (--running === 0) idle?.();
      });
    },
    drained(ms: number): Promise<void> {
      if (running === 0) return Promise.resolve();
      return new Promise((done) => {
        const timer = setTimeout(done, ms);
        idle = () => {
          clearTimeout(timer);
          done();
        };
      });
    },
  };
}

/** With a shared store: takes up, every `ms`, activations and rents another process stopped advancing (it died, say). */
function syncEvery(registry: ActivationRegistry, rents: RentRegistry, ms: number, log: Log): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    Promise.all([registry.sync(), rents.sync()])
      .then(([activations, rented]) => {
        if (activations > 0) log.warn({ taken: activations }, 'took up activations another process left behind');
        if (rented > 0) log.warn({ taken: rented }, 'took up rents another process left behind');
      })
      .catch((err: unknown) => log.warn({ err }, 'shared store not read; trying again at the next sync'))
      .finally(() => { running = false; });
  }, ms);
  timer.unref();
  return () => clearInterval(timer);
}

function listen(server: Server, port: number, host: string) {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
