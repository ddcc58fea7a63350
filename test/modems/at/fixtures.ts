/**
 * What modems send, byte for byte, named after the device each imitates
 * (ModemManager's test_cmgl_response_pantech). PDUs are SMS-DELIVERs encoded by
 * python3-gammu (modem-notes §4.2), SMSC +79168999100, 2024-05-06 07:08:09.
 */

/** "Telegram code: 51234" from the alphanumeric sender Telegram, GSM 7-bit; TPDU 38 octets. */
export const pduTelegram =
  '07919761989901F0000ED0D432BB7C9687DB00004250607080900014D432BB7C9687DBA0F19B5CD6816A31D98C06';
/** "Код подтверждения: 4821" from +79161234567, UCS2; TPDU 65 octets. */
export const pduCyrillic =
  '07919761989901F0000B919761214365F70008425060708090002E041A043E04340020043F043E04340442043204350440043604340435043D0438044F003A00200034003800320031';
/** "Your code is 1234" from +79035550011, GSM 7-bit; TPDU 34 octets. */
export const pduLatin = '07919761989901F0000B919730550510F100004250607080900011D9775D0E1ABFC965507A0E8AC96634';

/** A transcript: the bytes a modem sent, and the tokens AtLineParser must make of them. */
export interface Transcript {
  bytes: string;
  tokens: string[];
}

/** Quectel EC25 powering up with echo on: boot URCs and +QIND noise, then `ATE0\r` echoed with its CR. */
export const quectelEc25StartUp: Transcript = {
  bytes: '\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\n+QUSIM: 1\r\n\r\n+QIND: SMS DONE\r\n'
    + 'ATE0\r\r\nOK\r\n\r\n+QIND: PB DONE\r\nAT+CPMS?\r\r\n+CPMS: "ME",0,255,"ME",0,255,"ME",0,255\r\n\r\nOK\r\n',
  tokens: ['RDY', '+CFUN: 1', '+CPIN: READY', '+QUSIM: 1', '+QIND: SMS DONE', 'ATE0', 'OK', '+QIND: PB DONE',
    'AT+CPMS?', '+CPMS: "ME",0,255,"ME",0,255,"ME",0,255', 'OK'],
};

/** SIM800L after power-up: RDY … Call Ready, SMS Ready, then an echoed AT+CSQ. */
export const sim800Boot: Transcript = {
  bytes: '\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\nCall Ready\r\n\r\nSMS Ready\r\nAT+CSQ\r\r\n+CSQ: 18,0\r\n\r\nOK\r\n',
  tokens: ['RDY', '+CFUN: 1', '+CPIN: READY', 'Call Ready', 'SMS Ready', 'AT+CSQ', '+CSQ: 18,0', 'OK'],
};

/** SIM800L sending a PDU with echo on: the `> ` prompt, the echoed PDU and its Ctrl-Z, then +CMGS. */
export const sim800Cmgs: Transcript = {
  bytes: `AT+CMGS=18\r\r\n> 0001000B919761214365F7000005C8329BFD06\x1a\r\n+CMGS: 42\r\n\r\nOK\r\n`,
  tokens: ['AT+CMGS=18', '> ', '0001000B919761214365F7000005C8329BFD06\x1a', '+CMGS: 42', 'OK'],
};

/** Huawei E173 listing two SMS while its ^RSSI and a +CMTI interleave with the answer. */
export const huaweiE173Cmgl: Transcript = {
  bytes: `\r\n+CMGL: 0,1,,38\r\n${pduTelegram}\r\n\r\n^RSSI: 17\r\n\r\n+CMTI: "SM",2\r\n`
    + `+CMGL: 1,0,,65\r\n${pduCyrillic}\r\n\r\nOK\r\n`,
  tokens: ['+CMGL: 0,1,,38', pduTelegram, '^RSSI: 17', '+CMTI: "SM",2', '+CMGL: 1,0,,65', pduCyrillic, 'OK'],
};

/** Some firmwares (and raw PTYs) end lines with a lone CR or LF; the tokens are the same. */
export const loneLineEnds: Transcript = {
  bytes: '\rAT+CIMI\r250027912345678\n\nOK\r+CMTI: "ME",7\n',
  tokens: ['AT+CIMI', '250027912345678', 'OK', '+CMTI: "ME",7'],
};

/** Huawei USSD in GSM text mode: a line break inside the quoted answer. */
export const huaweiUssdTwoLines: Transcript = {
  bytes: '\r\n+CUSD: 0,"Balance: 100.50 r.\r\nBonus: 0 r.",15\r\n',
  tokens: ['+CUSD: 0,"Balance: 100.50 r.', 'Bonus: 0 r.",15'],
};

/** Every transcript, by name: the split-anywhere test runs them all. */
export const transcripts: Readonly<Record<string, Transcript>> = {
  quectelEc25StartUp, sim800Boot, sim800Cmgs, huaweiE173Cmgl, loneLineEnds, huaweiUssdTwoLines,
};
