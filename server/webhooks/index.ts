/** Webhooks: sms-activate's payload POSTed, signed, retried with back-off from a queue in the store. */
export { Webhooks, type WebhookOptions } from './outbox.ts';
/** The signature header, how it is made and how a receiver checks it; new per-account secrets. */
export { newWebhookSecret, signature, signatureHeader, verifySignature } from './signature.ts';
/** The body POSTed for an SMS. */
export { smsPayload, type SmsActivatePayload } from './payload.ts';
/** Which URLs an account may set. */
export { webhookUrl, type UrlCheck } from './url.ts';
/** SSRF guards: private addresses, a URL's literal host, a lookup that refuses private answers. */
export { guardedLookup, isPrivateAddress, privateHost, privateTargetCode } from './url.ts';
