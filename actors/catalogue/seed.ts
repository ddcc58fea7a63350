import type { Store } from '../store.ts';
import { countries } from './countries.ts';
import { defaultPrice } from './index.ts';
import { services } from './services.ts';

/** First start: a price for every service in every country, so everything the farm has is on sale. */
export async function seedCatalogue(store: Store): Promise<boolean> {
  if ((await store.prices()).length > 0) return false;
  for (const s of services) for (const c of countries) await store.setPrice(s.id, c.id, defaultPrice(s, c));
  return true;
}
