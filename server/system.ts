import { createServer as createHttp, type Server } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import {
  ActivationRegistry, Inbox, inventory, seedCatalogue, systemClock, type Clock, type Log, type Store,
} from '../actors/index.ts';
import { SimulatedFarm, type ModemFarm } from '../modems/index.ts';
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
  farm: ModemFarm;
  simulator: SimulatedFarm | undefined;
  /** The accounts made on first start, with their keys (shown once). */
  created: Awaited<ReturnType<typeof firstStart>>;
  restored: number;
  stop(): Promise<void>;
}

/** Wires the Store, the actors, the modem farm and the HTTP servers together, and starts them. */
export async function startSystem(config: Config, log: Log, clock: Clock = systemClock): Promise<System> {
  if (config.modemPorts.length > 0) {
    throw new Error(
      `MODEM_PORTS is set (${config.modemPorts.join(', ')}), but this build drives only the simulated farm; ` +
        'unset MODEM_PORTS to run with SIM_MODEMS × SIM_SLOTS simulated SIMs',
    );
  }
  const store = await openStore(config);
  await seedCatalogue(store);
  const created = await firstStart(store, clock);
  const registry = new ActivationRegistry({ store, clock, log, ttlMs: config.activationTtlMs });
  const inbox = new Inbox({ store, registry, log });
  await inbox.start();
  const restored = await registry.restore();
  const simulator = new SimulatedFarm({ channels: config.simModems, slots: config.simSlots, now: () => clock.now() });
  const farm: ModemFarm = simulator;
  await farm.start(inventory({ store, inbox, clock, log }));

  const gw = { store, registry, clock, config, noNumbers: new NoNumbersCache(config.noNumbersCacheMs, () => clock.now()) };
  const app = createApp(gw, { store, registry, simulator }, log);
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
  const stopResponder = config.simAutoSms > 0 ? autoResponder(registry, simulator, config.simAutoSms * 1000, log) : () => {};
  const port = (http.address() as AddressInfo).port;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;

  return {
    url: `http://${shownHost}:${port}`, port, tlsPort, store, registry, farm, simulator, created, restored,
    async stop() {
      stopResponder();
      await Promise.all(servers.map((s) => new Promise<void>((done) => { s.close(() => done()); s.closeAllConnections(); })));
      await farm.stop();
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
