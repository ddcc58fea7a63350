export { SmsRules, sampleSms } from './rules.ts';
