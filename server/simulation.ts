import {
  ChannelSupervisor, inventory, sampleSms, type ActivationRegistry, type Clock, type FarmNewsListener, type Inbox, type Log, type Store,
} from '../actors/index.ts';
import { SimulatedFarm, SimulatorError, type FarmSimulator } from '../modems/index.ts';
import type { Config } from './config.ts';
import { PtyFarm, type FarmCensus } from './pty-farm.ts';

/** The simulated farm that runs (without MODEM_PORTS), and why it is not the one asked for. */
export interface Simulation {
  kind: 'at' | 'memory';
  simulator: FarmSimulator;
  /** The AT farm's channels, driven as MODEM_PORTS are; absent in memory. */
  channels: ChannelSupervisor | undefined;
  /** One sentence when SIMULATOR=at could not run and memory runs instead. */
  fellBack: string | undefined;
  /** Resolves once the farm is up (AT: every channel ready, or `timeoutMs` passed). */
  ready(timeoutMs?: number): Promise<FarmCensus>;
}

/**
 * SIMULATOR=at: virtual AT modems on socat PTYs, read through AtChannel and the
 * channel supervisor like real ones; without socat, the in-memory farm, with one
 * warning. SIMULATOR=memory: the in-memory farm, every SIM present and online.
 */
export async function startSimulation(
  deps: { config: Config; store: Store; inbox: Inbox; clock: Clock; log: Log; news?: FarmNewsListener },
): Promise<Simulation> {
  const { config, store, inbox, clock, log, news } = deps;
  let fellBack: string | undefined;
  if (config.simulator === 'at') {
    const channels = new ChannelSupervisor({ store, inbox, clock, log, ...(news ? { news } : {}) });
    try {
      const farm = await PtyFarm.start({ channels: config.simModems, slots: config.simSlots, supervisor: channels, store, log });
      return { kind: 'at', simulator: farm, channels, fellBack, ready: (timeoutMs) => farm.ready(timeoutMs) };
    } catch (err) {
      if (!(err instanceof SimulatorError)) throw err;
      await channels.stop();
      fellBack = err.code === 'SIM_SOCAT_MISSING'
        ? 'socat is not installed, so the simulated modems run in memory instead of speaking AT on pseudo-terminals (Debian: apt-get install socat)'
        : `the simulated modems run in memory: pseudo-terminals could not be made (${err.message.split('\n')[0]})`;
      log.warn({ code: err.code }, fellBack);
    }
  }
  const farm = new SimulatedFarm({ channels: config.simModems, slots: config.simSlots, now: () => clock.now() });
  await farm.start(inventory({ store, inbox, clock, log, ...(news ? { news } : {}) }));
  const sims = farm.slots().length;
  const census: FarmCensus = { channels: config.simModems, ready: config.simModems, sims, active: sims };
  return { kind: 'memory', simulator: farm, channels: undefined, fellBack, ready: async () => census };
}

/**
 * SIM_AUTO_SMS: a demo responder. Each newly handed-out number gets a
 * realistic SMS for its service after `delayMs`, through the simulated farm,
 * exactly as if the service had texted it.
 */
export function autoResponder(registry: ActivationRegistry, farm: FarmSimulator, delayMs: number, log: Log) {
  const timers = new Set<NodeJS.Timeout>();
  const unsubscribe = registry.subscribe((news) => {
    if (news.type !== 'activation.opened') return;
    const { phone, service, id } = news.activation;
    const timer = setTimeout(() => {
      timers.delete(timer);
      const sms = sampleSms(service);
      farm.deliver(phone, sms.from, sms.text).catch((err) => log.warn({ err, activationId: id }, 'demo SMS not delivered'));
    }, delayMs);
    timer.unref();
    timers.add(timer);
  });
  return () => {
    unsubscribe();
    for (const t of timers) clearTimeout(t);
  };
}
