import { createServer as createHttp, type Server } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import {
  ActivationRegistry, ChannelSupervisor, Inbox, inventory, seedCatalogue, systemClock, type Clock, type Log, type Store,
} from '../actors/index.ts';
import { AtChannel, loadPortConfig, portSpec, SimulatedFarm, type PortOptions } from '../modems/index.ts';
import { firstStart } from './bootstrap.ts';
import type { Config } from './config.ts';
import { NoNumbersCache } from './gateways/index.ts';
import { createApp } from './http/app.ts';
import { autoResponder } from './simulation.ts';
import { openStore } from './store/index.ts';

export interface System {
  url: string;
  port: number;
  tlsPort: number | undefined;
  store: Store;
  registry: ActivationRegistry;
  /** The in-process simulated farm, when MODEM_PORTS is unset. */
  simulator: SimulatedFarm | undefined;
  /** The serial modem channels, when MODEM_PORTS is set. */
  channels: ChannelSupervisor | undefined;
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
  const registry = new ActivationRegistry({ store, clock, log, ttlMs: config.activationTtlMs });
  const inbox = new Inbox({ store, registry, log });
  await inbox.start();
  const restored = await registry.restore();
  // MODEM_PORTS set: only those real ports make the farm. Unset: the simulated farm.
  let simulator: SimulatedFarm | undefined;
  let channels: ChannelSupervisor | undefined;
  if (ports.length > 0) {
    channels = new ChannelSupervisor({ store, inbox, clock, log });
    const options = config.modemConfig ? loadPortConfig(config.modemConfig) : new Map<string, PortOptions>();
    channels.start(
      ports.map((p) => new AtChannel({ ...p, ...options.get(p.path) })),
      (id) => options.get(id)?.slots ?? 1,
    );
  } else {
    simulator = new SimulatedFarm({ channels: config.simModems, slots: config.simSlots, now: () => clock.now() });
    await simulator.start(inventory({ store, inbox, clock, log }));
  }

  const gw = { store, registry, clock, config, noNumbers: new NoNumbersCache(config.noNumbersCacheMs, () => clock.now()) };
  const app = createApp(gw, { store, registry, simulator, channels }, log);
  const handler = app.callback();
  const servers: Server[] = [];
  const http = createHttp(handler);
  servers.push(http);
  await listen(http, config.port, config.host);
  let tlsPort: number | undefined;
  if (config.tls) {
    const https = createHttps({ cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) }, handler);
    servers.push(https);
    await listen(https, config.tls.port, config.host);
    tlsPort = (https.address() as AddressInfo).port;
  }
  const stopResponder = config.simAutoSms > 0 && simulator ? autoResponder(registry, simulator, config.simAutoSms * 1000, log) : () => {};
  const port = (http.address() as AddressInfo).port;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;

  return {
    url: `http://${shownHost}:${port}`, port, tlsPort, store, registry, simulator, channels, created, restored,
    async stop() {
      stopResponder();
      await Promise.all(servers.map((s) => new Promise<void>((done) => { s.close(() => done()); s.closeAllConnections(); })));
      await simulator?.stop();
      await channels?.stop();
      inbox.stop();
      await registry.stop();
      await store.close();
    },
  };
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
