export { SimulatedFarm, type SimulatedFarmOptions } from './farm.ts';
export type { FarmSimulator, SimulatedSlot } from './port.ts';
export { simulatedSim } from './identities.ts';
export { SimulatedLines, SimulatedLineError } from './lines.ts';
/** The AT-speaking simulator: virtual modems, a farm of them on real PTYs, its JSON control API, their parts. */
export {
  VirtualModem, VirtualFarm, FarmError, SimCard, SimStorage, SmsCentre, Cable, PtyPair, SimulatorError, PacedWire,
  serveControl, deliverPdus, openPort, closePort, tpduLength, vendors,
  type VirtualModemOptions, type VirtualModemEvents, type PduOutcome, type SimCardOptions, type Forwarding,
  type SentMessage, type MessageStat, type StoredMessage, type Vendor, type VendorName, type SlotDialect,
  type IccidCommand, type CommandRow, type CommandTable, type EncodeDeliver, type ModemContext, type ModemSettings,
  type Reply, type Result, type SmsToDeliver, type Submission, type VirtualFarmOptions, type Channel,
  type ChannelView, type SimView, type SlotRef, type CarriedSim, type SimCardPicture,
} from './at/index.ts';
