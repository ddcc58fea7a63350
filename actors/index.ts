/** The domain: activations, money, the SIM inventory and the Store port. */
export * from './store.ts';
export * from './catalogue/index.ts';
export { formatRubles, parseRubles, rublesNumber, type Kopecks } from './money.ts';
export { systemClock, type Clock, type Log } from './log.ts';
export { activationMachine, isSettling, settlingStates, stateOf, type ActivationContext, type ActivationInput, type ClientCommand } from './activation/index.ts';
export * from './registry/index.ts';
export {
  RentRegistry, rentCost, rentHours, rentMachine, type RentCommandOutcome, type RentExtendOutcome, type RentNews,
  type RentOutcome, type RentRequest, type RentView,
} from './rent/index.ts';
export { Inbox } from './inbox/index.ts';
export {
  inventory, recordSimMove, simNumber, tellSimNumber, type FarmNews, type FarmNewsListener, type MoveOutcome, type NumberOutcome,
  type SimChange,
} from './farm/index.ts';
export { ChannelSupervisor, channelMachine, SlotKeeper, type ChannelView } from './channel/index.ts';
export { SmsRules, sampleSms } from './sms/index.ts';
export { apiKeyHash, newApiKey } from './accounts/keys.ts';
export {
  csrfTokenOf, decoyPasswordHash, hashPassword, newSessionToken, passwordLength, sessionTokenHash, verifyPassword,
} from './accounts/password.ts';
export { seedCatalogue } from './catalogue/seed.ts';
export {
  Forwarder, NumberBalance, LineError, channelLines, balanceIn, balanceCode, russianNumber,
  type BalanceAnswer, type ForwardOutcome, type LineSim, type SimLines,
} from './line/index.ts';
export { partnerCode, referralFor, shareBasisPoints, sharePercent } from './partners/index.ts';
