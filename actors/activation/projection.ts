import type { SnapshotFrom } from 'xstate';
import type { ActivationState, ActivationUpdate } from '../store.ts';
import type { activationMachine } from './machine.ts';

export type ActivationSnapshot = SnapshotFrom<typeof activationMachine>;

/** The states in which an ending's effects (refund, claim, next order) are still running. */
export const settlingStates: readonly ActivationState[] = ['cancelling', 'rejecting', 'expiring', 'finishing'];
const settling: ReadonlySet<ActivationState> = new Set(settlingStates);

/** The domain state a snapshot is in (the top-level state; `opening` is never at rest). */
export function stateOf(snapshot: ActivationSnapshot): ActivationState {
  const value = snapshot.value;
  return (typeof value === 'string' ? value : Object.keys(value)[0]) as ActivationState;
}

/** True while an ending's effects (refund, claim, next order) are still running. */
export function isSettling(state: ActivationState): boolean {
  return settling.has(state);
}

const endings: Partial<Record<ActivationState, ActivationState>> = {
  cancelling: 'cancelled', rejecting: 'rejected', expiring: 'expired', finishing: 'finished',
};

/** The final state a settling state ends in. */
export function endOf(settling: ActivationState): ActivationState | undefined {
  return endings[settling];
}

/** What the store keeps beside the snapshot, derived from it. */
export function projection(snapshot: ActivationSnapshot, persisted: unknown, at: number): ActivationUpdate {
  const { code, messages, nextId } = snapshot.context;
  return { state: stateOf(snapshot), live: snapshot.status === 'active', code, messages, nextId, snapshot: persisted, at };
}
