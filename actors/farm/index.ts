export { inventory } from './inventory.ts';
export { recordSimMove, simNumber, tellSimNumber, type MoveOutcome, type NumberOutcome } from './operations.ts';
/** What the farm announces: channel pictures, SIM changes, stored SMS. */
export type { FarmNews, FarmNewsListener, SimChange } from './news.ts';
