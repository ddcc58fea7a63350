/**
 * Which SIMs may be sold or rented now, as SQL over `sims s`: the rules orders, rents and the catalogue's
 * counts share. The fragments take @accountId, @country and @operators (see filterParams).
 */

/** A SIM with the services it was used for (a code arrived, or a client marked it used). */
export const simRow = `SELECT s.*, (SELECT json_group_array(c.service) FROM sim_services c WHERE c.iccid = s.iccid AND c.used = 1)
  AS used_for FROM sims s`;

/** No live rent holds the SIM: a rented SIM's every SMS is the renter's. */
const notRented = 'NOT EXISTS (SELECT 1 FROM rents r WHERE r.iccid = s.iccid AND r.live = 1)';

/**
 * A SIM that can take an order now. A channel serves one slot at a time: a SIM
 * in its active slot is sold unless a live activation waits for a standby SIM
 * of that channel; a standby SIM is sold only from a ready channel none of
 * whose other SIMs a live activation holds (the sale then switches the channel).
 * A live rent holds its SIM, and its SIM's channel, as an activation does.
 */
// INDEXED BY: the partial index of standby SIMs is almost always empty; the planner would rather walk a channel's SIMs.
const activeServable = `
  (s.online = 1 AND NOT EXISTS (SELECT 1 FROM sims o INDEXED BY sims_standby_by_channel JOIN sim_services h ON h.iccid = o.iccid
      WHERE o.channel = s.channel AND o.standby = 1 AND h.activation_id IS NOT NULL)
    AND NOT EXISTS (SELECT 1 FROM sims o INDEXED BY sims_standby_by_channel JOIN rents r ON r.iccid = o.iccid
      WHERE o.channel = s.channel AND o.standby = 1 AND r.live = 1)
    AND ${notRented})`;
const standbyServable = `
  (s.standby = 1 AND s.phone <> ''
    AND EXISTS (SELECT 1 FROM channels ch WHERE ch.id = s.channel AND ch.state = 'ready')
    AND NOT EXISTS (SELECT 1 FROM sims o JOIN sim_services h ON h.iccid = o.iccid
      WHERE o.channel = s.channel AND o.iccid <> s.iccid AND h.activation_id IS NOT NULL)
    AND NOT EXISTS (SELECT 1 FROM sims o JOIN rents r ON r.iccid = o.iccid
      WHERE o.channel = s.channel AND o.iccid <> s.iccid AND r.live = 1)
    AND ${notRented})`;
export const servable = `(${activeServable} OR ${standbyServable})`;

export const freeSim = (where = servable) => `
  ${where}
  AND (@country IS NULL OR s.country = @country)
  AND (@operators IS NULL OR s.operator IN (SELECT value FROM json_each(@operators)))
  AND NOT EXISTS (SELECT 1 FROM blacklist b WHERE b.account_id = @accountId AND b.phone = s.phone)`;

/** A SIM a rent may take: sold now (see servable), and no live activation holds it for any service. */
export const rentableSim = `
  ${servable}
  AND (@country IS NULL OR s.country = @country)
  AND (@operators IS NULL OR s.operator IN (SELECT value FROM json_each(@operators)))
  AND NOT EXISTS (SELECT 1 FROM sim_services h WHERE h.iccid = s.iccid AND h.activation_id IS NOT NULL)`;

/**
 * The allocation query, walking sims in rowid order from a cursor: through the
 * country index when the order names a country. CROSS JOIN keeps sims the
 * outer loop, so rows come in order straight from a b-tree, never sorted.
 * SIMs in active slots go first; a standby SIM only when none is left.
 */
export const allocation = (inCountry: boolean, from: '>' | '<=', standby: boolean) => `
  SELECT s.rowid AS seq, s.iccid, s.phone, s.country, s.operator, pr.price, NULL AS holder
  FROM sims s CROSS JOIN prices pr
  WHERE ${inCountry ? 's.country = @country AND' : ''} s.rowid ${from} @after
    AND pr.service = @service AND pr.country = s.country
    AND ${freeSim(standby ? standbyServable : activeServable)} AND (@forwarding = 0 OR s.can_forward = 1)
    AND NOT EXISTS (SELECT 1 FROM sim_services c WHERE c.iccid = s.iccid AND c.service = @service)
  ORDER BY s.rowid LIMIT 1`;

/** An order's filter as the fragments' parameters. */
export function filterParams(accountId: number, filter: { country?: string; operators?: string[] }) {
  return {
    accountId,
    country: filter.country ?? null,
    operators: filter.operators?.length ? JSON.stringify(filter.operators) : null,
  };
}
