export { activationMachine, firstState, type ActivationContext, type ActivationInput } from './machine.ts';
export type { ActivationEvent, ClientCommand } from './events.ts';
export { endOf, isSettling, projection, settlingStates, stateOf, type ActivationSnapshot } from './projection.ts';
