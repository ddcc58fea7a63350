import type { Method } from '../call.ts';
import { getBalance, getList, getOperations } from './account.ts';
import { getNum, getNumRepeat } from './order.ts';
import { setOperationOk, setOperationOver, setOperationRevise, setOperationUsed, setReady } from './operation.ts';
import { getState } from './state.ts';

/** API #2's methods: the spec's eight and the three sms-reg clients also call (protocol-notes §2). */
const methods: Record<string, Method> = {
  getBalance, getNum, setReady, getState, setOperationOk, setOperationRevise, getNumRepeat, setOperationUsed,
  getList, getOperations, setOperationOver,
};

const byLowerName = new Map(Object.entries(methods).map(([name, method]) => [name.toLowerCase(), { name, method }]));

/** The method a path's name calls (`getnum` works too), with its own spelling for error messages. */
export function methodOf(name: string): { name: string; method: Method } | undefined {
  return byLowerName.get(name.toLowerCase());
}
