import { pduCyrillic, pduLatin, pduTelegram } from './fixtures.ts';

/**
 * Captured-style answers of whole modems, command → bytes after the command,
 * named after the device each imitates. A command a modem lacks answers ERROR.
 */
export type ModemAnswers = Readonly<Record<string, string>>;

const ok = (...lines: string[]) => `${lines.map((l) => `\r\n${l}\r\n`).join('')}\r\nOK\r\n`;

/** SIMCom SIM800L: bare-digit ICCID for AT+CCID, `SM_P` storages, `""` alpha in +CMGL, +CNUM with the number. */
export const sim800: ModemAnswers = {
  ATE0: ok(),
  'AT+CMEE=1': ok(),
  'AT+CMGF=0': ok(),
  'AT+CNMI=2,1,0,0,0': ok(),
  'AT+CPMS?': ok('+CPMS: "SM_P",2,30,"SM_P",2,30,"SM_P",2,30'),
  'AT+CPIN?': ok('+CPIN: READY'),
  'AT+CCID': ok('89701012417659373214'),
  'AT+CIMI': ok('250017654321012'),
  'AT+CNUM': ok('+CNUM: "","+79161234567",145,7,4'),
  'AT+COPS?': ok('+COPS: 0,0,"MegaFon"'),
  'AT+CREG?': ok('+CREG: 0,1'),
  'AT+CSQ': ok('+CSQ: 18,0'),
  'AT+CMGL=4': ok('+CMGL: 1,1,"",34', pduLatin, '+CMGL: 2,0,"",65', pduCyrillic),
  'AT+CMGR=1': ok('+CMGR: 1,"",34', pduLatin),
  'AT+CMGR=3': ok(),
};

/** Quectel EC25: only AT+QCCID (with the F padding), no number on the SIM, roaming, LTE. */
export const quectelEc25: ModemAnswers = {
  ATE0: ok(),
  'AT+CMEE=1': ok(),
  'AT+CMGF=0': ok(),
  'AT+CNMI=2,1,0,0,0': ok(),
  'AT+CPMS?': ok('+CPMS: "ME",1,255,"ME",1,255,"ME",1,255'),
  'AT+CPIN?': ok('+CPIN: READY'),
  'AT+QCCID': ok('+QCCID: 8970199180212345678F'),
  'AT+CIMI': ok('250027912345678'),
  'AT+CNUM': ok(),
  'AT+COPS?': ok('+COPS: 0,0,"MegaFon",7'),
  'AT+CREG?': ok('+CREG: 0,5'),
  'AT+CSQ': ok('+CSQ: 31,99'),
  'AT+CMGL=4': ok('+CMGL: 0,1,,38', pduTelegram),
};

/** SIMCom SIM7600: ICCID only through AT+CICCID (answering `+ICCID:`), numeric operator, CREG with location. */
export const simcom7600: ModemAnswers = {
  ...quectelEc25,
  'AT+QCCID': '\r\nERROR\r\n',
  'AT+CICCID': ok('+ICCID: 89860318760235618932'),
  'AT+CNUM': ok('+CNUM: ,"79161234567",145'),
  'AT+COPS?': ok('+COPS: 0,2,"25002",7'),
  'AT+CREG?': ok('+CREG: 2,1,"1A2B","0C3D",7'),
  'AT+CSQ': ok('+CSQ: 21,99'),
  'AT+CMGL=4': ok(),
};

/** A modem that refuses CNMI mode 2 (Qualcomm-based) and knows no ICCID command but AT+CRSM; no signal. */
export const qualcommCrsm: ModemAnswers = {
  ...quectelEc25,
  'AT+CNMI=2,1,0,0,0': '\r\n+CMS ERROR: 303\r\n',
  'AT+CNMI=1,1,0,0,0': ok(),
  'AT+QCCID': '\r\nERROR\r\n',
  'AT+CRSM=176,12258,0,0,10': ok('+CRSM: 144,0,"98700110142167579312"'),
  'AT+CSQ': ok('+CSQ: 99,99'),
};

/** A SIM800L with its SIM tray empty: AT+CPIN? answers +CME ERROR: 10. */
export const sim800NoSim: ModemAnswers = { ...sim800, 'AT+CPIN?': '\r\n+CME ERROR: 10\r\n' };
