/** One entry of MODEM_PORTS: `path` or `path@baud`. */
export interface PortSpec {
  path: string;
  baudRate: number;
}

const bauds = new Set([9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600]);

/** Reads `path[@baud]` (default 115200); undefined when it is not one. */
export function portSpec(entry: string): PortSpec | undefined {
  const m = /^([^@\s]+)(?:@(\d+))?$/.exec(entry.trim());
  if (!m) return undefined;
  const baudRate = m[2] === undefined ? 115_200 : Number(m[2]);
  return bauds.has(baudRate) ? { path: m[1]!, baudRate } : undefined;
}
