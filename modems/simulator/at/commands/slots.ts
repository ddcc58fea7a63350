import { cme, ok } from '../answers.ts';
import type { CommandTable, ModemContext, Reply } from '../types.ts';
import type { SlotDialect } from '../vendors.ts';
import { intArg } from './sim-gate.ts';

/** Switch to a 1-based slot, or `+CME ERROR: 50` for a slot the channel doesn't have. */
const switchTo = (m: ModemContext, slot: number | undefined): Reply =>
  slot !== undefined && m.switchSlot(slot) ? ok() : cme(50);

/**
 * Slot switching per dialect (modem-notes §3.1). After a switch the new SIM
 * answers `+CME ERROR: 14` while it initialises, then with its own identity.
 */
export const slotRows: Readonly<Record<SlotDialect, CommandTable>> = {
  // 3GPP TS 27.007 §8.66: <card slot> counts from 0.
  '3gpp': {
    '+CSUS': {
      set: (m, [slot]) => switchTo(m, (intArg(slot, 0, 99) ?? -2) + 1),
      read: (m) => ok(`+CSUS: ${m.activeSlot - 1}`),
      test: (m) => ok(`+CSUS: (0-${m.slotCount - 1})`),
    },
  },
  // Quectel RM5xx/EC2x dual-SIM: AT+QUIMSLOT=1|2, counting from 1.
  quectel: {
    '+QUIMSLOT': {
      set: (m, [slot]) => switchTo(m, intArg(slot, 1, 99)),
      read: (m) => ok(`+QUIMSLOT: ${m.activeSlot}`),
      test: (m) => ok(`+QUIMSLOT: (1-${m.slotCount})`),
    },
  },
  // SIMCom SIM8200/A76xx: AT+SMSIMCFG=1,<slot>; the first parameter is the mode (1 = single standby).
  simcom: {
    '+SMSIMCFG': {
      set: (m, [mode, slot]) => (mode === '1' ? switchTo(m, intArg(slot, 1, 99)) : cme(50)),
      read: (m) => ok(`+SMSIMCFG: 1,${m.activeSlot}`),
      test: (m) => ok(`+SMSIMCFG: (1),(1-${m.slotCount})`),
    },
  },
};
