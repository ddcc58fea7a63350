import { cms, ok } from '../answers.ts';
import type { MessageStat, SimStorage } from '../sim-storage.ts';
import { tpduLength } from '../sim-storage.ts';
import type { CommandTable, ModemContext, Reply } from '../types.ts';
import { intArg, withSim } from './sim-gate.ts';

/** Only the SIM memory is simulated; every other memory is refused as 27.005 "operation not allowed". */
const memory = 'SM';

const counts = (s: SimStorage) => `${s.used},${s.capacity}`;

/** `AT+CMGL=<stat>` in PDU mode: each message as `+CMGL: <i>,<stat>,,<len>` and its PDU (27.005 §3.4.2). */
function list(storage: SimStorage, stat: MessageStat | 4): Reply {
  return ok(...storage.list(stat).flatMap(([i, m]) => [`+CMGL: ${i},${m.stat},,${tpduLength(m.pdu)}`, m.pdu]));
}

/** What arrives after the `> ` prompt of `AT+CMGS=<length>`: hex whose TPDU is `<length>` octets. */
function submit(m: ModemContext, length: number, pdu: string): Reply {
  const sim = m.sim;
  if (!sim || m.simState !== 'ready') return cms(310);
  if (!/^([0-9A-F]{2})+$/i.test(pdu) || tpduLength(pdu) !== length) return cms(304);
  if (m.registration !== 1) return cms(331); // no network service
  return ok(`+CMGS: ${sim.send(pdu.toUpperCase(), Date.now())}`);
}

/** SMS in PDU mode (27.005 §3): format, storage, indications, list, read, delete, send. */
export const sms: CommandTable = {
  '+CMGF': {
    // PDU mode is the one format every modem agrees on; text mode is not simulated.
    set: (_m, [mode]) => (mode === '0' ? ok() : cms(303)),
    read: () => ok('+CMGF: 0'),
    test: () => ok('+CMGF: (0)'),
  },
  '+CSMS': {
    set: (_m, [service]) => (service === '0' || service === '1' ? ok('+CSMS: 1,1,1') : cms(303)),
    read: () => ok('+CSMS: 0,1,1,1'),
    test: () => ok('+CSMS: (0,1)'),
  },
  '+CNMI': {
    set: (m, args) => {
      const limits = [3, 3, 3, 2, 1];
      const values = limits.map((max, i) => (args[i] === undefined || args[i] === '' ? 0 : intArg(args[i], 0, max)));
      if (args.length > 5 || values.some((v) => v === undefined)) return cms(303);
      m.settings.cnmi = values as [number, number, number, number, number];
      return ok();
    },
    read: (m) => ok(`+CNMI: ${m.settings.cnmi.join(',')}`),
    test: () => ok('+CNMI: (0-3),(0-3),(0-3),(0-2),(0,1)'),
  },
  '+CNMA': { exec: () => ok() },
  '+CPMS': {
    // smsd parses the 3-storage read answer; gammu picks memories from the test answer.
    test: () => ok(`+CPMS: ("${memory}"),("${memory}"),("${memory}")`),
    read: withSim('cms', (_m, _a, sim) => {
      const c = counts(sim.storage);
      return ok(`+CPMS: "${memory}",${c},"${memory}",${c},"${memory}",${c}`);
    }),
    set: withSim('cms', (_m, args, sim) => {
      if (args.length < 1 || args.length > 3 || args.some((a) => a !== memory)) return cms(302);
      const c = counts(sim.storage);
      return ok(`+CPMS: ${c},${c},${c}`);
    }),
  },
  '+CMGL': {
    exec: withSim('cms', (_m, _a, sim) => list(sim.storage, 0)), // no <stat>: "received unread"
    set: withSim('cms', (_m, [stat], sim) => {
      const s = intArg(stat, 0, 4);
      return s === undefined ? cms(302) : list(sim.storage, s as MessageStat | 4);
    }),
    test: () => ok('+CMGL: (0-4)'),
  },
  '+CMGR': {
    set: withSim('cms', (_m, [index], sim) => {
      const i = Number(index);
      if (!sim.storage.inRange(i)) return cms(321); // invalid memory index
      const m = sim.storage.read(i);
      // An empty cell answers a bare OK, as SIM800 and Wavecom firmwares do.
      return m ? ok(`+CMGR: ${m.stat},,${tpduLength(m.pdu)}`, m.pdu) : ok();
    }),
    test: () => ok(),
  },
  '+CMGD': {
    set: withSim('cms', (m, [index, flag], sim) => {
      const i = Number(index);
      const f = flag === undefined ? 0 : intArg(flag, 0, 4);
      if (f === undefined) return cms(302);
      if (f === 0 && !sim.storage.inRange(i)) return cms(321);
      if (sim.storage.delete(i, f) > 0) m.storageFreed();
      return ok();
    }),
    test: withSim('cms', (_m, _a, sim) => ok(`+CMGD: (1-${sim.storage.capacity}),(0-4)`)),
  },
  '+CMGS': {
    set: withSim('cms', (m, [length]) => {
      const n = intArg(length, 7, 164); // a TPDU is at most 164 octets (27.005 §3.5.1)
      if (n === undefined) return cms(304);
      return { lines: [], result: 'OK', prompt: (pdu) => submit(m, n, pdu) };
    }),
    test: () => ok(),
  },
};
