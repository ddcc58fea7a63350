import { networks } from '../sim/index.ts';
import type { SimIdentity } from '../farm.ts';

/** Shares of the simulated farm per MCC, in percent: mostly Russian SIMs, as a real farm. */
const mix: readonly [mcc: string, percent: number][] = [
  ['250', 50], ['401', 15], ['255', 15], ['257', 5], ['260', 5], ['234', 5], ['262', 5],
];

/** Subscriber number lengths after the calling code (and the mobile prefix we put first). */
const mobilePrefix: Readonly<Record<string, { prefix: string; digits: number }>> = {
  '250': { prefix: '9', digits: 9 },
  '401': { prefix: '70', digits: 8 },
  '255': { prefix: '6', digits: 8 },
  '257': { prefix: '29', digits: 7 },
  '260': { prefix: '5', digits: 8 },
  '234': { prefix: '7', digits: 9 },
  '262': { prefix: '15', digits: 9 },
};

/** mulberry32: a small seeded generator, so one farm size always yields the same SIMs. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const digits = (next: () => number, n: number) =>
  Array.from({ length: n }, () => Math.floor(next() * 10)).join('');

/** The SIM that sits in simulated slot number `index` (0-based across the farm). */
export function simulatedSim(index: number): SimIdentity {
  const next = random(0x5eed + index * 7919);
  const roll = next() * 100;
  let acc = 0;
  const mcc = mix.find(([, p]) => (acc += p) > roll)?.[0] ?? '250';
  const net = networks[mcc]!;
  const mncs = Object.keys(net.operators);
  const mnc = mncs[Math.floor(next() * mncs.length)]!;
  const mobile = mobilePrefix[mcc]!;
  // The index is part of the number, so no two simulated SIMs ever share one.
  const serial = String(index).padStart(6, '0');
  const phone = net.callingCode + mobile.prefix + digits(next, mobile.digits - 6) + serial;
  return {
    iccid: `89${net.callingCode.padEnd(3, '0')}${mnc}${String(index).padStart(8, '0')}${digits(next, 4)}`,
    imsi: `${mcc}${mnc}${String(index).padStart(10, '0')}`,
    phone,
    country: net.country,
    operator: net.operators[mnc]!,
    canForward: net.country === 'ru' || net.country === 'kz',
  };
}
