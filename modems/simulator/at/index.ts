// The AT-speaking modem simulator: virtual modems on real pseudo-terminals, and a farm of them.
/** One simulated modem channel with K SIM slots, speaking AT over a Duplex byte stream. */
export { VirtualModem } from './virtual-modem.ts';
/** A simulated SIM: identity, SMS storage, USSD script and call forwarding. */
export { SimCard, type SimCardOptions, type SimCardPicture, type Forwarding, type SentMessage } from './sim-card.ts';
/** SIM SMS memory and the TPDU length AT answers print. */
export { SimStorage, tpduLength, type MessageStat, type StoredMessage } from './sim-storage.ts';
/** Vendor profiles (identity strings, ICCID command, slot dialect, noise). */
export { vendors, type Vendor, type VendorName, type SlotDialect, type IccidCommand } from './vendors.ts';
/** The default SMS-DELIVER encoder (node-pdu), the seam for modems/pdu. */
export { deliverPdus } from './encode.ts';
/** Linked PTY pairs (socat) and serialport open/close. */
export { PtyPair, SimulatorError, openPort, closePort } from './pty.ts';
/** A VirtualModem plugged into a PTY pair: plug, unplug, replug. */
export { Cable } from './cable.ts';
/** Types of the command table and the simulated SMS. */
export type {
  CommandRow, CommandTable, EncodeDeliver, ModemContext, ModemSettings, PduOutcome, Reply, Result, SmsToDeliver,
  VirtualModemEvents, VirtualModemOptions,
} from './types.ts';
/** The simulated network's SMS centre: holds what a SIM can't take yet and retries. */
export { SmsCentre, type Submission } from './sms-centre.ts';
/** N channels × K slots of virtual modems on PTYs, with the farm's deterministic SIMs. */
export {
  VirtualFarm, FarmError, type CarriedSim, type VirtualFarmOptions, type Channel, type ChannelView, type Delivery, type SimView, type SlotRef,
} from './farm-process.ts';
/** The farm's JSON control API over HTTP on 127.0.0.1. */
export { serveControl } from './control-api.ts';
/** A client of that control API (tests, benches). */
export { controlClient } from './control-client.ts';
/** A paced serial line direction (baud rate, 8N1). */
export { PacedWire } from './paced-wire.ts';
