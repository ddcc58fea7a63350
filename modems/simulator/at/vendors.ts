/** How a slot switch is spoken: 3GPP TS 27.007 §8.66 `+CSUS`, Quectel `+QUIMSLOT`, SIMCom `+SMSIMCFG`. */
export type SlotDialect = '3gpp' | 'quectel' | 'simcom';

/** Which ICCID command a modem answers, and the prefix its answer carries ('' = the bare number). */
export type IccidCommand = '+CCID' | '+ICCID' | '+QCCID';

/** What differs between modem makers, as data: identity strings, ICCID command, and the noise they print. */
export interface Vendor {
  name: string;
  manufacturer: string;
  model: string;
  revision: string;
  /** `ATI` lines. */
  ati: readonly string[];
  /** The ICCID commands this firmware knows, with the answer's prefix; the others answer an error. */
  iccid: Partial<Record<IccidCommand, string>>;
  slotDialect: SlotDialect;
  /** `+COPS` `<AcT>`: 0 GSM, 2 UTRAN, 7 E-UTRAN. */
  act: number;
  /** Printed after `AT+CFUN=1,1`, before the SIM is ready. */
  boot: readonly string[];
  /** Printed once the SIM in the active slot is initialised. */
  simReady: readonly string[];
  /** Printed when the SIM leaves the active slot. */
  simRemoved: readonly string[];
  /**
   * Printed when an SMS arrives and the SIM memory is full: the modem refuses
   * it (RP-ERROR "memory capacity exceeded"), so the network keeps it and
   * retries once the modem reports room again (3GPP TS 24.011 SMMA).
   */
  memoryFull: string;
  /** How GSM 7-bit USSD strings travel (27.007 §7.15 says text; Huawei packs them into hex). Unset: text. */
  ussd?: 'text' | 'packed';
}

/** The vendors the simulator can play; `generic` is a plain 3GPP modem. */
export const vendors = {
  generic: {
    name: 'generic',
    manufacturer: 'getsms',
    model: 'VM-1',
    revision: 'VM1.0.0',
    ati: ['getsms VM-1', 'Revision: VM1.0.0'],
    iccid: { '+CCID': '+CCID: ' },
    slotDialect: '3gpp',
    act: 0,
    boot: [],
    simReady: ['+CPIN: READY'],
    simRemoved: ['+CPIN: NOT INSERTED'],
    // Huawei's URC; generic USB sticks are mostly Huawei inside.
    memoryFull: '^SMMEMFULL: "SM"',
  },
  quectel: {
    name: 'quectel',
    manufacturer: 'Quectel',
    model: 'EC25',
    revision: 'EC25EFAR06A06M4G',
    ati: ['Quectel', 'EC25', 'Revision: EC25EFAR06A06M4G'],
    iccid: { '+QCCID': '+QCCID: ', '+CCID': '+CCID: ' },
    slotDialect: 'quectel',
    act: 7,
    boot: ['RDY'],
    simReady: ['+CPIN: READY', '+QUSIM: 1', '+QIND: SMS DONE'],
    simRemoved: ['+CPIN: NOT READY'],
    memoryFull: '+QIND: "smsfull","SM"',
  },
  simcom: {
    name: 'simcom',
    manufacturer: 'SIMCOM INCORPORATED',
    model: 'SIMCOM_SIM7600E-H',
    revision: 'LE20B04SIM7600M22',
    ati: ['Manufacturer: SIMCOM INCORPORATED', 'Model: SIMCOM_SIM7600E-H', 'Revision: LE20B04SIM7600M22'],
    // SIM800-style bare AT+CCID, SIM7600-style AT+ICCID.
    iccid: { '+CCID': '', '+ICCID': '+ICCID: ' },
    slotDialect: 'simcom',
    act: 7,
    boot: ['RDY'],
    simReady: ['+CPIN: READY', 'SMS DONE'],
    simRemoved: ['+CPIN: NOT READY'],
    memoryFull: '+CIEV: "SMSFULL",1',
  },
  huawei: {
    name: 'huawei',
    manufacturer: 'huawei',
    model: 'E173',
    revision: '11.126.85.00.209',
    ati: ['Manufacturer: huawei', 'Model: E173', 'Revision: 11.126.85.00.209'],
    // Real firmwares vary (^ICCID?, +CRSM); the quirk this profile is for is USSD.
    iccid: { '+CCID': '+CCID: ' },
    slotDialect: '3gpp',
    act: 2,
    boot: ['^BOOT:12345678,0,0,0,72'],
    simReady: ['^SIMST: 1'],
    simRemoved: ['^SIMST: 255'],
    memoryFull: '^SMMEMFULL: "SM"',
    // `+CUSD: 0,"AA180C3602",15`: packed 7-bit in hex, both ways (ModemManager's huawei plugin; gammu ENCODED_USSD).
    ussd: 'packed',
  },
} as const satisfies Record<string, Vendor>;

/** A vendor the simulator knows by name. */
export type VendorName = keyof typeof vendors;
