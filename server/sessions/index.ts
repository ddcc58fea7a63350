/** Browser sign-in: accounts with a password, sessions in an HttpOnly cookie, CSRF and origin checks. */
export { BrowserSessions, acceptablePassword, csrfMatches, type SignInOutcome, type SignUpOutcome } from './sessions.ts';
/** The session cookie: its name, lifetime, reading and writing. */
export { readCookie, sessionCookie, sessionCookieValue, sessionTtlMs } from './cookie.ts';
/** Whether a request comes from a page of our own origin. */
export { fromOwnOrigin } from './origin.ts';
/** The live channel (/ws) authenticator for browser sessions. */
export { sessionAuthenticator } from './live.ts';
