export { inventory } from './inventory.ts';
export { recordSimMove, simNumber, tellSimNumber, type MoveOutcome, type NumberOutcome } from './operations.ts';
