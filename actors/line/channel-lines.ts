import type { ChannelSupervisor } from '../channel/index.ts';
import { LineError, type LineSim, type SimLines } from './port.ts';

/**
 * Line operations over the modem channels (MODEM_PORTS): a SIM is reachable
 * while its channel is ready with it in the active slot. One operation at a
 * time per channel: a modem holds one USSD session, and a `+CUSD` reply names
 * no request, so two at once could each take the other's answer.
 */
export function channelLines(channels: ChannelSupervisor): SimLines {
  const queues = new Map<string, Promise<unknown>>();
  const onChannel = <T>(sim: LineSim, work: () => Promise<T>): Promise<T> => {
    const before = queues.get(sim.channel) ?? Promise.resolve();
    const run = before.catch(() => {}).then(() => {
      const view = channels.channels().find((c) => c.channel === sim.channel);
      if (!view || view.state !== 'ready' || view.sim?.iccid !== sim.iccid) {
        throw new LineError('LINE_OFFLINE', `SIM ${sim.iccid} is not in the active slot of a ready channel`);
      }
      return work();
    });
    const settled = run.catch(() => {});
    queues.set(sim.channel, settled);
    void settled.then(() => {
      if (queues.get(sim.channel) === settled) queues.delete(sim.channel);
    });
    return run;
  };
  return {
    ussd: (sim, code) =>
      onChannel(sim, async () => {
        const reply = await channels.ussd(sim.channel, code).catch((err: unknown) => refused(err));
        if (reply === undefined) throw new LineError('LINE_OFFLINE', `no channel ${sim.channel}`);
        return reply;
      }),
    setForwarding: (sim, to) =>
      onChannel(sim, async () => {
        const done = await channels.setForwarding(sim.channel, to).catch((err: unknown) => refused(err));
        if (!done) throw new LineError('LINE_OFFLINE', `no channel ${sim.channel}`);
      }),
  };
}

/** A driver's failure as a LineError: AT_TIMEOUT is the network's silence, anything else a refusal. */
function refused(err: unknown): never {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  throw new LineError(code === 'AT_TIMEOUT' ? 'LINE_TIMEOUT' : 'LINE_REFUSED', message);
}
