/** What a rent costs for some hours, and the hours a rent may last. */
export { rentCost, rentHours } from './cost.ts';
/** What happens to a rent. */
export type { RentEvent } from './events.ts';
/** The rent machine: renting until its absolute end, or finished, or cancelled early with a refund. */
export { rentMachine, rentStateOf, type RentContext, type RentInput } from './machine.ts';
/** Creates, finds, persists and restores rent actors; hands them their SIM's SMS. */
export {
  RentRegistry, type RentCommandOutcome, type RentExtendOutcome, type RentNews, type RentOutcome, type RentRegistryOptions,
  type RentRequest, type RentView,
} from './registry.ts';
