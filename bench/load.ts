import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';

/** One autocannon run, reduced to what the bench prints. */
export interface Run {
  requests: number;
  seconds: number;
  rps: number;
  latencyMs: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  mismatches: number;
  /** CPU seconds the server process spent (user + system), when /proc tells; undefined elsewhere. */
  serverCpu: { user: number; system: number } | undefined;
}

/** One autocannon run against the server with process id `serverPid` (whose CPU time is taken from /proc). */
export async function cannon(opts: autocannon.Options, serverPid?: number): Promise<Run> {
  const before = serverPid === undefined ? undefined : cpuOf(serverPid);
  const r = await autocannon({ timeout: 10, ...opts });
  const after = serverPid === undefined ? undefined : cpuOf(serverPid);
  const requests = r.requests.total;
  return {
    requests, seconds: r.duration, rps: requests / r.duration,
    latencyMs: { p50: r.latency.p50, p99: r.latency.p99 },
    errors: r.errors, timeouts: r.timeouts, non2xx: r.non2xx, mismatches: r.mismatches,
    serverCpu: before && after ? { user: after.user - before.user, system: after.system - before.system } : undefined,
  };
}

/** A process's CPU seconds so far, from /proc/<pid>/stat (Linux; clock ticks of 1/100 s). */
export function cpuOf(pid: number): { user: number; system: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // after "pid (comm) "
    return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
  } catch {
    return undefined;
  }
}

/** Server CPU microseconds per request, user and system, if measured. */
export function cpuPerRequest(r: Run): { user: number; system: number } | undefined {
  if (!r.serverCpu || r.requests === 0) return undefined;
  return { user: (r.serverCpu.user * 1e6) / r.requests, system: (r.serverCpu.system * 1e6) / r.requests };
}

/** Several runs of the same target taken together. */
export function combine(runs: Run[]): Run {
  const sum = (f: (r: Run) => number) => runs.reduce((s, r) => s + f(r), 0);
  const requests = sum((r) => r.requests);
  const seconds = sum((r) => r.seconds);
  // Latency percentiles do not add up; the request-weighted mean of each run's is close enough to print.
  const weighted = (f: (r: Run) => number) => (requests === 0 ? 0 : sum((r) => f(r) * r.requests) / requests);
  return {
    requests, seconds, rps: requests / seconds,
    latencyMs: { p50: weighted((r) => r.latencyMs.p50), p99: weighted((r) => r.latencyMs.p99) },
    errors: sum((r) => r.errors), timeouts: sum((r) => r.timeouts), non2xx: sum((r) => r.non2xx),
    mismatches: sum((r) => r.mismatches),
    serverCpu: runs.every((r) => r.serverCpu)
      ? { user: sum((r) => r.serverCpu!.user), system: sum((r) => r.serverCpu!.system) }
      : undefined,
  };
}

/** A single GET for setting things up; resolves to the body. */
export async function get(base: string, path: string): Promise<string> {
  const res = await fetch(new URL(path, base));
  if (res.status !== 200) throw new Error(`GET ${path} answered HTTP ${res.status}`);
  return res.text();
}

export const query = (params: Record<string, string | number>) =>
  `/stubs/handler_api.php?${new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]))}`;
