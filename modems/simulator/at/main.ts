/**
 * The simulated modem farm as its own process:
 *   node --import tsx modems/simulator/at/main.ts --channels 8 --slots 4 [--dir D] [--port P] [--baud 115200]
 *        [--vendor generic|quectel|simcom|huawei|mixed] [--sim-busy-ms 300] [--ussd-delay-ms 200] [--first-sim 0] [--trace]
 * Prints `control <url>` and `MODEM_PORTS=<paths>`, then serves until SIGINT/SIGTERM.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { serveControl } from './control-api.ts';
import { VirtualFarm } from './farm-process.ts';
import { vendors, type VendorName } from './vendors.ts';

const { values: a } = parseArgs({
  options: {
    dir: { type: 'string' },
    channels: { type: 'string', default: '8' },
    slots: { type: 'string', default: '4' },
    port: { type: 'string', default: '0' },
    baud: { type: 'string' },
    vendor: { type: 'string', default: 'generic' },
    'sim-busy-ms': { type: 'string', default: '300' },
    'ussd-delay-ms': { type: 'string', default: '200' },
    capacity: { type: 'string', default: '30' },
    'first-sim': { type: 'string', default: '0' },
    trace: { type: 'boolean', default: false },
  },
});

const int = (name: string, text: string | undefined, min: number, max: number): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer in ${min}…${max}, got ${text}`);
  return n;
};

const vendor: VendorName | VendorName[] =
  a.vendor === 'mixed' ? (Object.keys(vendors) as VendorName[]) : (a.vendor as VendorName);
if (a.vendor !== 'mixed' && !(a.vendor! in vendors)) throw new Error(`--vendor must be one of ${Object.keys(vendors).join(', ')}, mixed`);

const dir = a.dir ?? (await mkdtemp(join(tmpdir(), 'getsms-farm-')));
const farm = await VirtualFarm.start({
  dir,
  channels: int('channels', a.channels, 1, 1024),
  slots: int('slots', a.slots, 1, 16),
  vendor,
  capacity: int('capacity', a.capacity, 1, 255),
  firstSim: int('first-sim', a['first-sim'], 0, 999_999),
  modem: {
    ...(a.baud ? { baudRate: int('baud', a.baud, 300, 4_000_000) } : {}),
    simBusyMs: int('sim-busy-ms', a['sim-busy-ms'], 0, 60_000),
    ussdDelayMs: int('ussd-delay-ms', a['ussd-delay-ms'], 0, 60_000),
    ...(a.trace ? { trace: (d: 'in' | 'out', s: string) => console.error(d, JSON.stringify(s)) } : {}),
  },
});
const { server, url } = await serveControl(farm, int('port', a.port, 0, 65535));
console.log(`control ${url}`);
console.log(`MODEM_PORTS=${farm.ports().join(',')}`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  server.close();
  await farm.stop(); // ends every socat (a SIGKILLed simulator's get SIGTERM from the kernel: see PtyPair)
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
