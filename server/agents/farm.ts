import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AtChannel, serveControl, VirtualFarm } from '../../modems/index.ts';

/** An agent's simulated farm: virtual AT modems on PTYs, its control API, and an AtChannel per PTY. */
export interface AgentFarm {
  channels: { channel: AtChannel; slots: number }[];
  /** The simulator's control API (`POST /sms` …), as the standalone simulator serves it. */
  control: string;
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
