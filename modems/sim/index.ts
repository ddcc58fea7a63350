export { networkOf, networks } from './mcc-mnc.ts';
