export { inventory } from './inventory.ts';
