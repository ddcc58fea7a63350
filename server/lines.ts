import {
  Forwarder, LineError, NumberBalance, channelLines, type ChannelSupervisor, type Clock, type LineSim, type Log, type SimLines, type Store,
} from '../actors/index.ts';
import { SimulatedLineError, SimulatedLines, type FarmSimulator } from '../modems/index.ts';
import type { Config } from './config.ts';

/** USSD and call forwarding on sold numbers, as the gateways reach them. */
export interface Lines {
  forwarder: Forwarder;
  balance: NumberBalance;
  /** The in-memory simulated farm's lines (no AT there): tests and demos read where a SIM forwards. */
  simulated: SimulatedLines | undefined;
  stop(): void;
}

/**
 * Picks what answers USSD and forwarding, per SIM: its modem channel when it
 * sits in one (MODEM_PORTS, the AT simulator's, or a remote host's, whose agent
 * runs the operation on its own modem), else the in-memory simulated farm; then
 * takes up the forwarding requests a previous run left pending.
 */
export async function startLines(deps: {
  config: Config; store: Store; clock: Clock; log: Log;
  /** Every modem channel: MODEM_PORTS or the AT simulator's, and the agents'. */
  channels: ChannelSupervisor;
  /** SIMULATOR=memory: this server's farm, whose SIMs sit in no channel. */
  memory: FarmSimulator | undefined;
}): Promise<Lines> {
  const { config, store, clock, log, channels, memory } = deps;
  const simulated = memory ? new SimulatedLines(memory) : undefined;
  const modems = channelLines(channels);
  const elsewhere = simulated ? lineErrors(simulated) : offline;
  const through = (sim: LineSim) => (channels.channels().some((c) => c.channel === sim.channel) ? modems : elsewhere);
  const lines: SimLines = {
    ussd: (sim, code) => through(sim).ussd(sim, code),
    setForwarding: (sim, to) => through(sim).setForwarding(sim, to),
  };
  const forwarder = new Forwarder({
    store, lines, clock, log, timeoutMs: config.lines.forwardingTimeoutMs, retryMs: config.lines.forwardingRetryMs,
  });
  const balance = new NumberBalance({
    store, lines, clock, log, timeoutMs: config.lines.ussdTimeoutMs, backoffMs: config.lines.balanceBackoffMs,
    freshMs: config.lines.balanceFreshMs,
  });
  await forwarder.resume();
  return { forwarder, balance, simulated, stop: () => forwarder.stop() };
}

/** The simulated network's refusals in the domain's terms. */
function lineErrors(simulated: SimulatedLines): SimLines {
  const map = (err: unknown): never => {
    if (err instanceof SimulatedLineError) throw new LineError(err.code === 'SIM_ABSENT' ? 'LINE_OFFLINE' : 'LINE_REFUSED', err.message);
    throw err;
  };
  return {
    ussd: (sim, code) => simulated.ussd(sim, code).catch(map),
    setForwarding: (sim, to) => simulated.setForwarding(sim, to).catch(map),
  };
}

/** A SIM in no channel and no simulated farm: nothing reaches it. */
const offline: SimLines = {
  ussd: async () => { throw new LineError('LINE_OFFLINE', 'the SIM is in no modem channel'); },
  setForwarding: async () => { throw new LineError('LINE_OFFLINE', 'the SIM is in no modem channel'); },
};
