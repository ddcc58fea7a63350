export { LineError, within, type LineSim, type SimLines } from './port.ts';
export { channelLines } from './channel-lines.ts';
export { Forwarder, russianNumber, type ForwardedActivation, type ForwarderOptions, type ForwardOutcome } from './forwarding.ts';
export { NumberBalance, balanceCode, type BalanceAnswer, type NumberBalanceOptions } from './balance.ts';
export { balanceIn } from './amount.ts';
