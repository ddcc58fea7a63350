import { ok } from '../answers.ts';
import type { CommandTable } from '../types.ts';
import type { IccidCommand, SlotDialect, Vendor } from '../vendors.ts';
import { general } from './general.ts';
import { network, ussdMode } from './network.ts';
import { withSim } from './sim-gate.ts';
import { slotRows } from './slots.ts';
import { sms } from './sms.ts';

/** The ICCID rows a vendor's firmware knows; the others stay out of the table and answer an error. */
function iccidRows(vendor: Vendor): CommandTable {
  const rows: Record<string, CommandTable[string]> = {};
  for (const [command, prefix] of Object.entries(vendor.iccid) as [IccidCommand, string][]) {
    const answer = withSim('cme', (_m, _a, sim) => ok(prefix + sim.identity.iccid));
    rows[command] = { exec: answer, read: answer, test: () => ok() };
  }
  return rows;
}

/**
 * The command table of one modem: shared rows, then the vendor's ICCID rows,
 * `^USSDMODE` on a modem that packs USSD, and the slot dialect's rows.
 */
export function commandTable(vendor: Vendor, dialect: SlotDialect): CommandTable {
  const ussd = vendor.ussd === 'packed' ? ussdMode : {};
  return { ...general, ...network, ...sms, ...iccidRows(vendor), ...ussd, ...slotRows[dialect] };
}

export { cregLine } from './network.ts';
