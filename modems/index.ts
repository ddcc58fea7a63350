/** The hardware floor: modem farms (real or simulated) and what they report. */
export type { FarmEvent, FarmListener, IncomingSms, ModemFarm, SimIdentity } from './farm.ts';
export { SimulatedFarm, simulatedSim, type SimulatedFarmOptions, type SimulatedSlot } from './simulator/index.ts';
/** What the server asks of a simulated farm, in memory or on pseudo-terminals: an SMS in, a SIM moved. */
export type { FarmSimulator } from './simulator/index.ts';
/** USSD and call forwarding for the in-process simulated farm's SIMs. */
export { SimulatedLines, SimulatedLineError } from './simulator/index.ts';
/** The AT-speaking simulator: VirtualModem channels on real PTYs, the VirtualFarm process and its control API. */
export {
  VirtualModem, VirtualFarm, FarmError, SimCard, SimulatorError, serveControl,
  type VirtualModemOptions, type VirtualFarmOptions, type ChannelView, type SimView, type SlotRef, type SmsToDeliver,
  type CarriedSim,
} from './simulator/index.ts';
export { networkOf } from './sim/index.ts';
/** The driver port: one modem channel as the domain drives it, and its AT implementation on a serial port. */
export type { ModemChannel, ModemChannelEvents, Registration, SimCheck, SlotDialect } from './channel.ts';
export { AtChannel, type AtChannelOptions } from './drivers/at-channel.ts';
export { portSpec, type PortSpec } from './drivers/port-spec.ts';
export { loadPortConfig, numberIn, PortConfigError, type PortOptions } from './drivers/port-config.ts';
/** The AT layer: line framing, the command engine, URCs, coded errors, start-up sequences as tables and their reads. */
export {
  AtEngine, AtError, AtLineParser, PROMPT, cmeErrors, cmsErrors, classify, finalResult, urcTable,
  iccid, imsi, messageStorage, operator, ownNumber, pin, registration, signal, storedPdu, storedPdus,
  replaceRows, runRow, runSequence, initialise, network, simCheck, startUp, sweep,
} from './at/index.ts';
/** The AT layer's types: the engine's options, events and results, the URC union, read values, sequence rows. */
export type {
  AtEngineEvents, AtEngineOptions, AtResult, AtRunOptions, AtRunner, AtErrorCode, AtErrorMeaning, FinalResult, LineKind,
  Urc, UrcRow, MessageStorage, Operator, PinState, Registration as AtRegistration, RegistrationState, Signal, Storage,
  StoredPdu, AtRow, AtSequence, RowFailure, SequenceReport, InitValues, NetworkValues, SimValues, StartUpValues, SweepValues,
} from './at/index.ts';
/** SMS PDUs: decode SMS-DELIVER, encode it (simulator), reassemble multipart, fingerprint. */
export {
  PduError, decodeDeliver, tpduLengthOf, encodeDeliver, buildDeliver, Reassembler, fingerprint, textOf,
  type PduErrorCode, type DecodedPdu, type DecodeOptions, type DeliverInput, type DeliverFields,
  type ReassembledSms, type ReassemblerOptions, type FingerprintInput, type AddressType, type Alphabet, type Dcs,
  type Concat, type Udh, type UdhElement,
} from './pdu/index.ts';
