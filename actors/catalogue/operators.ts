/**
 * What operators' networks answer to, per SIM operator (`country/operator`,
 * operators spelt as the SIM inventory spells them).
 *
 * The balance code: MTS and MegaFon answer `*100#`, Beeline `*102#`, Tele2
 * `*105#` (each operator's own help pages). Admins override a row, or add an
 * operator missing here, with the setting `balanceUssd:<country>/<operator>`
 * (`npx getsms ussd balance …`); `none` there means the operator has no such code.
 */
export const balanceUssdCodes: Readonly<Record<string, string>> = {
  'ru/mts': '*100#',
  'ru/megafon': '*100#',
  'ru/beeline': '*102#',
  'ru/tele2': '*105#',
};

/** The settings key an admin's balance code for an operator is kept under. */
export function balanceUssdSetting(country: string, operator: string): string {
  return `balanceUssd:${country}/${operator}`;
}
