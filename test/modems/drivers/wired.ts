import type { ExecutionContext } from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AtChannel, simulatedSim } from '../../../modems/index.ts';
import { Cable, SimCard, VirtualModem, type VendorName } from '../../../modems/simulator/at/index.ts';

/**
 * An AtChannel on a real PTY, a VirtualModem (of `vendor`) with one Russian SIM on the other end, initialised and
 * with its SIM read; `sent()` is every byte the modem got.
 */
export async function wired(t: ExecutionContext, vendor?: VendorName) {
  const dir = await mkdtemp(join(tmpdir(), 'getsms-wired-'));
  const card = new SimCard(simulatedSim(1));
  const heard: string[] = [];
  const modem = new VirtualModem({
    ...(vendor ? { vendor } : {}), sims: [card], simBusyMs: 20, ussdDelayMs: 5, trace: (d, b) => void (d === 'in' && heard.push(b)),
  });
  const cable = new Cable(modem, join(dir, 'host'), join(dir, 'modem'));
  await cable.plug();
  const channel = new AtChannel({ path: cable.hostLink, baudRate: 115_200 });
  t.teardown(async () => {
    await channel.close();
    await cable.unplug();
    await rm(dir, { recursive: true, force: true });
  });
  await channel.open();
  await channel.initialise();
  const check = await channel.readSim(1);
  if (check.status !== 'ready') throw new Error(`SIM ${check.status}`);
  return { modem, card, channel, sim: check.sim, sent: () => heard.join('') };
}
