import type { AtSequence } from './run.ts';
import {
  iccid, imsi, messageStorage, operator, ownNumber, pin, registration, signal, storedPdus,
  type MessageStorage, type Operator, type PinState, type Registration, type Signal, type StoredPdu,
} from './reads.ts';

/**
 * The generic start-up, as the trusted daemons do it (modem-notes §1.6), in the
 * channel actor's phases: initialise, SIM check, network, sweep. Each row says
 * why it is there (STYLE §9). A driver (drivers/quectel …) replaces rows by
 * name with replaceRows(); `generic` is these tables as they are.
 */

/** What initialising finds out. */
export interface InitValues {
  storage: MessageStorage;
}

export const initialise: AtSequence<InitValues> = [
  // Echo off halves the bytes on the wire; the engine copes either way (and with the `ATE0\r` echo of this very row).
  { name: 'echo', send: 'ATE0', timeoutMs: 2_000 },
  // Numeric `+CME ERROR: n` instead of a bare ERROR, so errors.ts can say "SIM missing" from "SIM busy".
  // Optional: a modem without +CMEE still works, its errors just say less.
  { name: 'errors', send: 'AT+CMEE=1', timeoutMs: 2_000, optional: true },
  // PDU mode: the one format every modem agrees on, and the only one that keeps UCS2 and concatenation headers.
  { name: 'pduMode', send: 'AT+CMGF=0', timeoutMs: 2_000 },
  // Store each SMS on the SIM and report its index (+CMTI), so it survives our crash until we store it (modem-notes §0.1).
  // mt=1, never mt=2: +CMT would need +CNMA acks after a durable commit. Many Qualcomm chipsets refuse mode 2
  // (ModemManager's Qualcomm-based plugins send +CNMI=1,1,…); mode 1 drops indications only while the link is
  // reserved, which the periodic sweep covers. Optional: without indications the sweep still finds every SMS.
  { name: 'indications', firstOf: ['AT+CNMI=2,1,0,0,0', 'AT+CNMI=1,1,0,0,0'], timeoutMs: 2_000, optional: true },
  // Where SMS are kept and how full it is; smsd insists on the 3-storage answer. Optional: old firmwares answer ERROR.
  { name: 'storage', send: 'AT+CPMS?', timeoutMs: 5_000, read: messageStorage, optional: true },
];

/** What the SIM check finds out. */
export interface SimValues {
  pin: PinState;
  iccid: string;
  imsi: string;
  number: string | undefined;
}

export const simCheck: AtSequence<SimValues> = [
  // READY, or what the SIM waits for; `+CME ERROR: 10` (no SIM) stops the sequence here with a meaning.
  { name: 'pin', send: 'AT+CPIN?', timeoutMs: 5_000, read: pin },
  // The ICCID is the SIM's identity. No standard command: SIM800/Quectel +CCID, Telit/u-blox +ICCID, Quectel +QCCID,
  // SIMCom SIM7600/A76xx +CICCID; last, the portable raw read of EF_ICCID (27.007 §8.18, modem-notes §3.1).
  {
    name: 'iccid',
    firstOf: ['AT+CCID', 'AT+ICCID', 'AT+QCCID', 'AT+CICCID', 'AT+CRSM=176,12258,0,0,10'],
    timeoutMs: 3_000,
    read: iccid,
  },
  // MCC + MNC give the SIM's country and operator (modems/sim). Needs the PIN: a locked SIM stops here.
  { name: 'imsi', send: 'AT+CIMI', timeoutMs: 3_000, read: imsi },
  // Often empty: operators rarely write MSISDN to the SIM. The fall-backs (USSD, an operator) live above.
  { name: 'number', send: 'AT+CNUM', timeoutMs: 3_000, read: ownNumber, optional: true },
];

/** What asking the network finds out. */
export interface NetworkValues {
  operator: Operator | undefined;
  registration: Registration;
  signal: Signal;
}

export const network: AtSequence<NetworkValues> = [
  // Which network serves the SIM now (roaming shows here). Can take seconds while the modem scans.
  { name: 'operator', send: 'AT+COPS?', timeoutMs: 10_000, read: operator, optional: true },
  // stat 1 home or 5 roaming: SMS can arrive. Optional so a modem that is still searching is not a failure.
  { name: 'registration', send: 'AT+CREG?', timeoutMs: 3_000, read: registration, optional: true },
  // What the operators' dashboard shows; a weak signal explains late SMS.
  { name: 'signal', send: 'AT+CSQ', timeoutMs: 3_000, read: signal, optional: true },
];

/** What the sweep finds. */
export interface SweepValues {
  stored: StoredPdu[];
}

export const sweep: AtSequence<SweepValues> = [
  // Every message stored (stat 4 = all): whatever arrived while we were down, or whose +CMTI was lost.
  // SIM800's manual allows 20 s for a full listing; a big ME storage on a slow UART takes longer.
  { name: 'stored', send: 'AT+CMGL=4', timeoutMs: 30_000, read: storedPdus },
];

/** Everything the start-up reads. */
export type StartUpValues = InitValues & SimValues & NetworkValues & SweepValues;

/** The whole start-up the issue lists, in order. */
export const startUp: AtSequence<StartUpValues> = [...initialise, ...simCheck, ...network, ...sweep];
