import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AtChannel, FarmError, serveControl, VirtualFarm } from '../../modems/index.ts';
import type { SimulatorCall } from './protocol.ts';

/** An agent's simulated farm: virtual AT modems on PTYs, its control API, and an AtChannel per PTY. */
export interface AgentFarm {
  channels: { channel: AtChannel; slots: number }[];
  /** The simulator's control API (`POST /sms` …), as the standalone simulator serves it. */
  control: string;
  /** Runs what the server asks of the farm (see SimulatorCall); rejects with a FarmError's code. */
  simulate(call: SimulatorCall): Promise<unknown>;
  stop(): Promise<void>;
}

/**
 * `getsms agent` with no ports: the AT simulator in the agent's process, so a
 * remote host can be tried (and tested) without hardware. `firstSim` picks the
 * farm's SIMs (simulated SIM number `firstSim` onwards): hosts given disjoint ranges share no SIM.
 */
export async function startAgentFarm(o: { modems: number; slots: number; firstSim: number; controlPort: number }): Promise<AgentFarm> {
  // Named as the server's PTY farm names its own, so a later start clears what a SIGKILLed agent left.
  const dir = await mkdtemp(join(tmpdir(), `getsms-farm-${process.pid}-`));
  let farm: VirtualFarm;
  try {
    farm = await VirtualFarm.start({ dir, channels: o.modems, slots: o.slots, firstSim: o.firstSim });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const { server, url } = await serveControl(farm, o.controlPort);
  return {
    control: url,
    simulate: (call) => simulate(farm, call),
    channels: farm.channels.map((ch) => ({
      channel: new AtChannel({
        id: ch.id, path: ch.cable.hostLink, baudRate: 115_200,
        canForward: (sim) => {
          try {
            return farm.sim(sim.iccid).sim.identity.canForward;
          } catch {
            return false;
          }
        },
      }),
      slots: o.slots,
    })),
    async stop() {
      server.close();
      await farm.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** How long a delivered SMS may take to reach the server through the farm's channel before `deliver` answers anyway. */
const storeWaitMs = 15_000;

async function simulate(farm: VirtualFarm, call: SimulatorCall): Promise<unknown> {
  const text = (v: unknown) => {
    if (typeof v !== 'string' || v === '' || v.length > 5_000) throw new FarmError('FARM_BAD_REQUEST', 'a simulator call lacks a field');
    return v;
  };
  const to = () => ({ channel: text((call as { channel?: unknown }).channel), slot: Number((call as { slot?: unknown }).slot) });
  const absent = (err: unknown) => {
    if (err instanceof FarmError && err.code === 'FARM_NOT_FOUND') return null;
    throw err;
  };
  switch (call.op) {
    case 'deliver': {
      let iccid: string;
      try {
        ({ iccid } = farm.deliver(text(call.to), text(call.from), text(call.text)));
      } catch (err) {
        return absent(err) ?? false;
      }
      // As the server's own AT farm answers: once its channel has read the SMS and the server stored it.
      await farm.drained(iccid, storeWaitMs);
      return true;
    }
    case 'slots': return farm.slots();
    case 'move': {
      try {
        return farm.swap(text(call.sim), to());
      } catch (err) {
        return absent(err);
      }
    }
    case 'take': {
      try {
        return farm.takeOut(text(call.sim));
      } catch (err) {
        return absent(err);
      }
    }
    case 'insert': return void farm.putIn(call.carried, to());
    default: throw new FarmError('FARM_BAD_REQUEST', `no simulator call ${String((call as { op?: unknown }).op)}`);
  }
}
