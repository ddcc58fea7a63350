import type { Kopecks } from '../money.ts';

/** Hours a rent may last, as sms-activate allows them (its `rent_time`: 2 to 1344 hours, 8 weeks). */
export const rentHours = { min: 2, max: 1344, day: 24 } as const;

/**
 * What renting for `hours` costs where a day costs `dayPrice`: pro rata,
 * rounded up to a whole kopeck, so a rent never costs less than its share.
 */
export function rentCost(dayPrice: Kopecks, hours: number): Kopecks {
  return Math.ceil((dayPrice * hours) / rentHours.day);
}
