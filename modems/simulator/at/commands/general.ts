import { cme, error, ok } from '../answers.ts';
import type { CommandTable, Handler } from '../types.ts';
import { intArg, withSim } from './sim-gate.ts';

const accept: Handler = () => ok();

const cfun: Handler = (m, [fun, reset]) => {
  // gammu 1.42 sends AT+CFUN=1 at start and aborts on ERROR ("SetPower failed"), so =1 is always OK.
  if (fun === '1' && reset === '1') {
    m.restart();
    return ok();
  }
  if (fun === '1' || fun === '0' || fun === '4') {
    m.setRadio(fun === '1');
    return ok();
  }
  return cme(50);
};

/** V.250 basics, identity (27.007 §5) and SIM status: the rows every modem answers alike. */
export const general: CommandTable = {
  E: {
    exec: (m, [on = '0']) => {
      if (on !== '0' && on !== '1') return error();
      m.settings.echo = on === '1';
      return ok();
    },
  },
  I: { exec: (m) => ok(...m.vendor.ati) },
  Z: { exec: (m) => (m.resetSettings(), ok()) },
  '&F': { exec: (m) => (m.resetSettings(), ok()) },
  // Only verbose results are spoken; ATV0 (numeric codes) is refused rather than half-done.
  V: { exec: (_m, [v = '0']) => (v === '1' ? ok() : error()) },
  Q: { exec: (_m, [q = '0']) => (q === '0' ? ok() : error()) },
  X: { exec: accept },
  '&C': { exec: accept },
  '&D': { exec: accept },
  '&K': { exec: accept },
  '&W': { exec: accept },
  '+CMEE': {
    set: (m, [n]) => {
      const v = intArg(n, 0, 2);
      if (v === undefined) return cme(50);
      m.settings.cmee = v as 0 | 1 | 2;
      return ok();
    },
    read: (m) => ok(`+CMEE: ${m.settings.cmee}`),
    test: () => ok('+CMEE: (0-2)'),
  },
  '+CFUN': {
    set: cfun,
    read: (m) => ok(`+CFUN: ${m.radio ? 1 : 4}`),
    test: () => ok('+CFUN: (0,1,4),(0-1)'),
  },
  '+CGMI': { exec: (m) => ok(m.vendor.manufacturer), test: accept },
  '+GMI': { exec: (m) => ok(m.vendor.manufacturer) },
  '+CGMM': { exec: (m) => ok(m.vendor.model), test: accept },
  '+GMM': { exec: (m) => ok(m.vendor.model) },
  '+CGMR': { exec: (m) => ok(m.vendor.revision), test: accept },
  '+GMR': { exec: (m) => ok(m.vendor.revision) },
  '+CGSN': { exec: (m) => ok(m.imei), test: accept },
  '+GSN': { exec: (m) => ok(m.imei) },
  '+CIMI': { exec: withSim('cme', (_m, _a, sim) => ok(sim.identity.imsi)), test: accept },
  '+CPIN': {
    read: (m) => {
      if (m.simState === 'absent') return cme(10);
      if (m.simState === 'busy') return cme(14);
      return ok('+CPIN: READY');
    },
    // No simulated SIM is locked: a PIN sent to a ready SIM is refused, as modems do.
    set: withSim('cme', () => cme(3)),
    test: accept,
  },
  '+CNUM': {
    exec: withSim('cme', (_m, _a, sim) =>
      sim.numberOnSim ? ok(`+CNUM: "","+${sim.identity.phone}",145`) : ok(),
    ),
    test: accept,
  },
  '+CSCS': {
    set: (m, [charset]) => {
      if (!charset || !['GSM', 'IRA', 'UCS2'].includes(charset)) return cme(4);
      m.settings.cscs = charset;
      return ok();
    },
    read: (m) => ok(`+CSCS: "${m.settings.cscs}"`),
    test: () => ok('+CSCS: ("GSM","IRA","UCS2")'),
  },
};
