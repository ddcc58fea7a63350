/** The hardware floor: modem farms (real or simulated) and what they report. */
export type { FarmEvent, FarmListener, IncomingSms, ModemFarm, SimIdentity } from './farm.ts';
export { SimulatedFarm, simulatedSim, type SimulatedFarmOptions, type SimulatedSlot } from './simulator/index.ts';
export { networkOf } from './sim/index.ts';
