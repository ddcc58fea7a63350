import type { BareSample } from './bare-reader.ts';
import { f1, figures, row, type Sample } from './figures.ts';
import { kinds, type Kind } from './sms-mix.ts';
import { baud, byteMs } from './wire-floor.ts';

/** What the rounds measured; an empty list is a reader left out (BENCH_SKIP). */
export interface Results {
  getsms: Sample[];
  bare: BareSample[];
  gammu: Sample[];
  /** smsd at its shipped defaults. */
  smsd: Sample[];
  /** smsd with only `delaytime` changed, to `smsdFastDelaytime`. */
  smsdFast: Sample[];
  smsdDefaultDelaytime: number;
  smsdFastDelaytime: number;
}

/** Prints the latency table, the wire floor per kind, the targets, and with `json` a final JSON line. */
export function report(r: Results, say: (line?: string) => void, json: boolean): void {
  const { getsms, bare, gammu } = r;
  const g = figures(getsms.map((s) => s.ms));
  const floorOf = (k?: Kind) => figures(getsms.filter((s) => !k || s.kind === k).map((s) => s.floorMs!));
  const overFloor = figures(getsms.map((s) => s.ms - s.floorMs!));
  say('SMS ingest latency, T0 (POST /sms returned) → T1');
  say(row('getsms, getStatus STATUS_OK', g));
  for (const k of kinds) {
    const fl = floorOf(k);
    say(row(`  ${k}`, figures(getsms.filter((s) => s.kind === k).map((s) => s.ms))) +
      (fl ? `   wire floor ${fl.min.toFixed(1)}–${fl.max.toFixed(1)} ms` : ''));
  }
  say(row('  getsms minus its wire floor', overFloor));
  say(row('bare reader, to AT+CMGL=4 OK', figures(bare.map((s) => s.toListOkMs))));
  say(row('bare reader, to AT+CMGD OK', figures(bare.map((s) => s.ms))));
  say(row('  bare reader minus its wire floor', figures(bare.map((s) => s.ms - s.floorMs))));
  say(row('gammu-smsd (ReceiveFrequency=1)', figures(gammu.map((s) => s.ms))));
  say(row(`smsd, defaults (delaytime=${r.smsdDefaultDelaytime})`, figures(r.smsd.map((s) => s.ms))));
  say(row(`smsd, delaytime=${r.smsdFastDelaytime}, else defaults`, figures(r.smsdFast.map((s) => s.ms))));
  say();
  say('Wire floor of getsms\'s exchange at 115200 8N1 (+CMTI, AT+CMGL=4 + answer with the PDU, AT+CMGD + OK):');
  for (const k of kinds) {
    const b = figures(getsms.filter((x) => x.kind === k).map((x) => x.bytes!));
    if (b) say(`  ${k.padEnd(12)} ${b.min}–${b.max} bytes = ${(b.min * byteMs).toFixed(1)}–${(b.max * byteMs).toFixed(1)} ms (sender names differ in length)`);
  }
  const maxFloor = floorOf()?.max ?? 0;
  const gammuP99 = figures(gammu.map((s) => s.ms))?.p99;
  const overP99 = overFloor?.p99 ?? Infinity;
  const metFloor = overP99 <= 20;
  const metGammu = gammuP99 === undefined ? undefined : (g?.p99 ?? Infinity) <= gammuP99;
  say();
  say(`targets: p99 of (latency − that SMS's wire floor) ${f1(overP99)} ≤ 20 ms: ${metFloor ? 'met' : 'NOT met'}` +
    ` (largest floor ${f1(maxFloor)});`);
  say(`         getsms p99 ${f1(g?.p99)} ≤ gammu-smsd p99 ${f1(gammuP99)}: ${metGammu === undefined ? 'not measured' : metGammu ? 'met' : 'NOT met'}`);

  if (json) {
    say(JSON.stringify({
      baud, t0: 'POST /sms returned', samples: getsms.length,
      getsms: g, getsmsByKind: Object.fromEntries(kinds.map((k) => [k, figures(getsms.filter((s) => s.kind === k).map((s) => s.ms))])),
      wireFloorMs: Object.fromEntries(kinds.map((k) => [k, floorOf(k) && { min: floorOf(k)!.min, max: floorOf(k)!.max }])), getsmsOverFloor: overFloor,
      bareReader: {
        toListOk: figures(bare.map((s) => s.toListOkMs)), toDeleteOk: figures(bare.map((s) => s.ms)),
        overFloor: figures(bare.map((s) => s.ms - s.floorMs)),
      },
      gammuSmsd: figures(gammu.map((s) => s.ms)),
      smsd: figures(r.smsd.map((s) => s.ms)), smsdDelaytime: r.smsdDefaultDelaytime,
      smsdFast: figures(r.smsdFast.map((s) => s.ms)), smsdFastDelaytime: r.smsdFastDelaytime,
      targets: { overFloorP99Max: 20, metFloor, metGammu: metGammu ?? null },
    }));
  }
}
