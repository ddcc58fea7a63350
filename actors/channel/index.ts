export { channelMachine, type ChannelContext, type ChannelInput } from './machine.ts';
export type { ChannelEvent, Registration, SimCheck } from './events.ts';
