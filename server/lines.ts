import {
  Forwarder, LineError, NumberBalance, channelLines, type ChannelSupervisor, type Clock, type Log, type SimLines, type Store,
} from '../actors/index.ts';
import { SimulatedLineError, SimulatedLines, type FarmSimulator } from '../modems/index.ts';
import type { Config } from './config.ts';

/** USSD and call forwarding on sold numbers, as the gateways reach them. */
export interface Lines {
  forwarder: Forwarder;
  balance: NumberBalance;
  /** The in-process simulated farm's lines (no AT there): tests and demos read where a SIM forwards. */
  simulated: SimulatedLines | undefined;
  stop(): void;
}

/**
 * Picks what answers USSD and forwarding: the modem channels (MODEM_PORTS, or
 * the AT simulator's), else the in-memory simulated farm; then takes up the
 * forwarding requests a previous run left pending.
 */
export async function startLines(deps: {
  config: Config; store: Store; clock: Clock; log: Log; channels: ChannelSupervisor | undefined; simulator: FarmSimulator | undefined;
}): Promise<Lines> {
  const { config, store, clock, log, channels, simulator } = deps;
  const simulated = !channels && simulator ? new SimulatedLines(simulator) : undefined;
  const lines: SimLines = channels ? channelLines(channels) : simulated ? lineErrors(simulated) : offline;
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

/** No farm at all: nothing is reachable. */
const offline: SimLines = {
  ussd: async () => { throw new LineError('LINE_OFFLINE', 'no modem farm is running'); },
  setForwarding: async () => { throw new LineError('LINE_OFFLINE', 'no modem farm is running'); },
};
