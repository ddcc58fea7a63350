/** The compatibility gateways: classic clients' protocols over the domain. */
export { handlerApi, hostDialect, NoNumbersCache, type Gateway } from './handler-api/index.ts';
export { OrderPool, smsReg, smsRegMethodName, type PoolOptions } from './sms-reg/index.ts';
export { IpRateLimit } from './rate-limit.ts';
export { Params } from './params.ts';
