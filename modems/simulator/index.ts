export { SimulatedFarm, type SimulatedFarmOptions, type SimulatedSlot } from './farm.ts';
export { simulatedSim } from './identities.ts';
