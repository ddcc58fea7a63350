/** A valid IMEI for simulated channel `index`: TAC 35 000000, the index as serial, a Luhn check digit. */
export function imeiOf(index: number): string {
  const body = `35000000${String(index % 1_000_000).padStart(6, '0')}`;
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return body + String((10 - (sum % 10)) % 10);
}
