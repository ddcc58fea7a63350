import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeDeliver, Reassembler, type ReassembledSms } from '../../../modems/pdu/index.ts';

/** One message as python3-gammu encoded it (fixtures/make-vectors.py). */
export interface Vector {
  name: string;
  text: string;
  from: string;
  smsc: string;
  scts: string;
  tzMinutes: number;
  alphabet: 'gsm7' | '8bit' | 'ucs2';
  refBits: 8 | 16 | null;
  handBuilt?: boolean;
  pdus: string[];
}

const here = (name: string) => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));
export const script = here('make-vectors.py');
export const vectors: Vector[] = JSON.parse(readFileSync(here('vectors.json'), 'utf8')).vectors;
export const vector = (name: string) => vectors.find((v) => v.name === name)!;

/** Debian's python with the gammu module (CI installs python3-gammu); false where it is missing. */
export const python = process.env.PDU_PYTHON ?? '/usr/bin/python3';
export const hasGammu = spawnSync(python, ['-c', 'import gammu'], { stdio: 'ignore' }).status === 0;
export const gammuMissing = `skipped: python3-gammu is not importable by ${python} (apt-get install python3-gammu)`;

/** Runs make-vectors.py with `args`, feeding `input`; its JSON answer. */
export function gammu<T>(args: string[], input?: unknown): T {
  const run = spawnSync(python, [script, ...args], { input: input === undefined ? undefined : JSON.stringify(input), encoding: 'utf8', maxBuffer: 64 << 20 });
  if (run.status !== 0) throw new Error(`make-vectors.py ${args.join(' ')} failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

/** A small seeded PRNG (mulberry32), so a failing random case can be replayed from its seed. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[] | string): T => xs[int(0, xs.length - 1)] as T;
  return { next, int, pick };
}

export const seedOf = () => Number(process.env.PDU_SEED ?? Math.floor(Math.random() * 2 ** 31));

/** Every PDU of a message through decode and a fresh Reassembler (in the order given); the messages out. */
export function reassemble(pdus: readonly string[], iccid = '8970100000000000001'): ReassembledSms[] {
  const r = new Reassembler({ now: () => 0 });
  return pdus.flatMap((hex, i) => r.add(iccid, decodeDeliver(hex), i + 1));
}

export const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
export const GSM_EXT = '^{}\\[~]|€\f';
export const CYRILLIC = 'абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ';
export const EMOJI = ['😀', '👍', '👍🏽', '🎉', '❤️', '🇷🇺', '𝄞'];

/** A random text: GSM only, GSM with extension characters, Cyrillic, or everything mixed with emoji. */
export function randomText(rnd: ReturnType<typeof prng>): string {
  const length = rnd.pick([rnd.int(0, 20), rnd.int(60, 200), rnd.int(150, 600)]);
  const kind = rnd.int(0, 3);
  const one = () =>
    kind === 0 ? rnd.pick(GSM_BASIC)
    : kind === 1 ? rnd.pick(GSM_BASIC + GSM_EXT.repeat(5))
    : kind === 2 ? rnd.pick(CYRILLIC + ' 0123456789')
    : rnd.pick([rnd.pick(GSM_BASIC), rnd.pick(GSM_EXT), rnd.pick(CYRILLIC), rnd.pick(EMOJI)]);
  return Array.from({ length }, one).join('');
}
