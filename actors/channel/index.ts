export { channelMachine, type ChannelContext, type ChannelInput } from './machine.ts';
export type { ChannelEvent, Registration, SimCheck } from './events.ts';
export { ChannelSupervisor, type ChannelSupervisorOptions, type ChannelView } from './supervisor.ts';
export { SlotKeeper, type SlotKeeperOptions } from './slot-keeper.ts';
