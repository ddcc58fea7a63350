/** The actors a registry holds, written through the store; with a shared store, conflicts, take-ups and takeovers. */
export { conflictRetries, HeldActors, type Held, type HeldKind, type StoredRecord } from './held-actors.ts';
