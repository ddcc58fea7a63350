/** Bytes to lines: CR/LF/CRLF framing, the `> ` prompt token, a bounded buffer. */
export { AtLineParser, PROMPT } from './line-parser.ts';
/** One command in flight per port, a FIFO queue, timeouts with recovery, URCs routed to `urc` listeners. */
export { AtEngine, type AtEngineEvents, type AtEngineOptions, type AtResult, type AtRunOptions, type AtRunner } from './engine.ts';
/** AtError's stable codes, and the CME/CMS numbers as data with meanings the modem actor acts on. */
export { AtError, cmeErrors, cmsErrors, type AtErrorCode, type AtErrorMeaning } from './errors.ts';
/** Final result codes and the URC table: what a line from the modem is. */
export { classify, finalResult, urcTable, type FinalResult, type LineKind, type Urc, type UrcRow } from './responses.ts';
/** Answer reads: ICCID, IMSI, own number, operator, registration, signal, PIN state, storage, stored PDUs. */
export { iccid, imsi, messageStorage, operator, ownNumber, pin, registration, signal, storedPdu, storedPdus } from './reads.ts';
/** The typed values the reads return. */
export type {
  MessageStorage, Operator, PinState, Registration, RegistrationState, Signal, Storage, StoredPdu,
} from './reads.ts';
/** Running AT sequences (tables of rows, `firstOf` alternatives) and replacing rows by name for a driver. */
export { replaceRows, runRow, runSequence, type AtRow, type AtSequence, type RowFailure, type SequenceReport } from './run.ts';
/** The generic start-up tables, by the channel actor's phases, and what each reads. */
export { initialise, network, simCheck, startUp, sweep } from './sequences.ts';
/** The values each start-up phase reads. */
export type { InitValues, NetworkValues, SimValues, StartUpValues, SweepValues } from './sequences.ts';
