import { cme, ok } from '../answers.ts';
import type { Forwarding, SimCard } from '../sim-card.ts';
import type { CommandTable, ModemContext, Reply } from '../types.ts';
import { cusdLine, ussdRequest } from '../ussd.ts';
import { intArg, withSim } from './sim-gate.ts';

/** A cell the SIM's network "serves" it from: LAC and CI derived from the IMSI, so they are stable. */
function cell(sim: SimCard): { lac: string; ci: string } {
  const n = Number(sim.identity.imsi.slice(-7));
  const hex = (v: number, w: number) => v.toString(16).toUpperCase().padStart(w, '0');
  return { lac: hex((n % 0xfffe) + 1, 4), ci: hex(((n + 1) * 7919) % 0xfffffff, 7) };
}

/**
 * `+CREG: [<n>,]<stat>[,"<lac>","<ci>"]`: the read answer carries `<n>`, the
 * unsolicited one (27.007 §7.2) does not; location only with n=2 while registered.
 */
export function cregLine(m: ModemContext, unsolicited: boolean): string {
  const n = m.settings.creg;
  const stat = m.registration;
  const where = n === 2 && stat === 1 && m.sim ? cell(m.sim) : undefined;
  const head = unsolicited ? `+CREG: ${stat}` : `+CREG: ${n},${stat}`;
  return where ? `${head},"${where.lac}","${where.ci}"` : head;
}

const operatorName = (sim: SimCard) => sim.identity.operator.toUpperCase();
const plmn = (sim: SimCard) => sim.identity.imsi.slice(0, 5);

/** A network operation needs the SIM registered, not only ready. */
function registered(m: ModemContext, reply: () => Reply): Reply {
  return m.registration === 1 ? reply() : cme(30);
}

/** +CCFC `<reason>` 4 (all) and 5 (all conditional) stand for several reasons at once. */
const reasonsOf: Readonly<Record<number, readonly number[]>> = {
  0: [0], 1: [1], 2: [2], 3: [3], 4: [0, 1, 2, 3], 5: [1, 2, 3],
};

function ccfcLine(rule: Forwarding, reason: number): string {
  const time = reason === 2 && rule.time !== undefined ? `,,,${rule.time}` : '';
  return `+CCFC: 1,${rule.class},"${rule.number}",${rule.type}${time}`;
}

function ccfc(m: ModemContext, args: readonly string[], sim: SimCard): Reply {
  const reason = intArg(args[0], 0, 5);
  const mode = intArg(args[1], 0, 4);
  if (reason === undefined || mode === undefined) return cme(50);
  // The SIM's operator decides whether it may forward calls; a refusing network answers "not allowed".
  if (!sim.identity.canForward) return cme(3);
  const reasons = reasonsOf[reason]!;
  if (mode === 2) {
    const active = reasons.flatMap((r) => {
      const rule = sim.forwarding.get(r);
      return rule?.active ? [ccfcLine(rule, r)] : [];
    });
    return ok(...(active.length > 0 ? active : ['+CCFC: 0,7']));
  }
  const number = args[2];
  for (const r of reasons) {
    const rule = sim.forwarding.get(r);
    if (mode === 4) sim.forwarding.delete(r);
    else if (mode === 0) { if (rule) rule.active = false; }
    else if (number) {
      sim.forwarding.set(r, {
        active: true,
        number,
        type: intArg(args[3], 0, 255) ?? (number.startsWith('+') ? 145 : 129),
        class: intArg(args[4], 1, 255) ?? 1,
        ...(r === 2 ? { time: intArg(args[7], 1, 30) ?? 20 } : {}),
      });
    } else if (rule) rule.active = true;
    else return cme(3); // enabling a rule never registered: there is no number to forward to
  }
  return ok();
}

/** Registration, operator, signal, own number, USSD and call forwarding (27.007 §7). */
export const network: CommandTable = {
  '+CSQ': {
    exec: (m) => ok(`+CSQ: ${m.radio ? m.signal : 99},99`),
    test: () => ok('+CSQ: (0-31,99),(0-7,99)'),
  },
  '+CREG': {
    read: (m) => ok(cregLine(m, false)),
    set: (m, [n]) => {
      const v = intArg(n, 0, 2);
      if (v === undefined) return cme(50);
      m.settings.creg = v as 0 | 1 | 2;
      return ok();
    },
    test: () => ok('+CREG: (0-2)'),
  },
  '+COPS': {
    read: (m) => {
      const sim = m.sim;
      if (m.registration !== 1 || !sim) return ok('+COPS: 0');
      const f = m.settings.copsFormat;
      return ok(`+COPS: 0,${f},"${f === 2 ? plmn(sim) : operatorName(sim)}",${m.vendor.act}`);
    },
    set: (m, [mode, format]) => {
      const f = intArg(format, 0, 2);
      if (mode === '3' && f !== undefined) m.settings.copsFormat = f as 0 | 1 | 2;
      else if (mode !== '0') return cme(3); // manual selection is not simulated
      return ok();
    },
    test: withSim('cme', (m, _a, sim) =>
      ok(`+COPS: (2,"${operatorName(sim)}","${operatorName(sim)}","${plmn(sim)}",${m.vendor.act}),,(0-4),(0-2)`),
    ),
  },
  '+CSCA': {
    read: withSim('cms', (_m, _a, sim) => ok(`+CSCA: "+${sim.identity.phone.slice(0, -6)}999100",145`)),
    set: () => ok(),
  },
  '+CUSD': {
    set: (m, args) => {
      const n = intArg(args[0] ?? '0', 0, 2);
      if (n === undefined) return cme(50);
      if (n === 2) return ok(); // cancel the session
      m.settings.cusd = n as 0 | 1;
      const text = args[1];
      if (text === undefined) return ok();
      return withSim('cme', (mm, _a, sim) =>
        registered(mm, () => {
          const { cscs, ussdPacked } = mm.settings;
          const reply = sim.ussd[ussdRequest(text, cscs, ussdPacked)];
          // 27.007 §7.15: +CUSD: 4 "operation not supported" for a code the network does not know.
          mm.unsolicited(reply === undefined ? '+CUSD: 4' : cusdLine(reply, cscs, ussdPacked), mm.ussdDelayMs);
          return ok();
        }),
      )(m, args);
    },
    read: (m) => ok(`+CUSD: ${m.settings.cusd}`),
    test: () => ok('+CUSD: (0-2)'),
  },
  '+CCFC': {
    set: withSim('cme', (m, args, sim) => registered(m, () => ccfc(m, args, sim))),
    test: () => ok('+CCFC: (0-5)'),
  },
};

/**
 * Huawei's `^USSDMODE` (later firmwares): 1, the default, is transparent (the
 * host packs and unpacks 7-bit hex); 0 makes the modem code USSD text itself.
 */
export const ussdMode: CommandTable = {
  '^USSDMODE': {
    set: (m, [mode]) => {
      const v = intArg(mode, 0, 1);
      if (v === undefined) return cme(50);
      m.settings.ussdPacked = v === 1;
      return ok();
    },
    read: (m) => ok(`^USSDMODE: ${m.settings.ussdPacked ? 1 : 0}`),
    test: () => ok('^USSDMODE: (0-1)'),
  },
};
