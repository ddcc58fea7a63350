/**
 * Every service getsms sells, with its code in each dialect.
 *
 * The spec's codes (getsms / sms-area) and sms-activate's collide: `uk` is MeetMe
 * to one and Airbnb to the other, so a code only means something together with
 * its dialect. In `getsms` the last code of the list is the key getNumbersStatus
 * answers with (the spec's own example uses `ot`, `av`, `go`, `vi`).
 * Matching rules are regular-expression sources, so admins can override them in
 * the store without a code change.
 */
export interface ServiceDef {
  id: string;
  name: string;
  getsms?: readonly string[];
  smsActivate?: string;
  smsReg?: readonly string[];
  /** Sold with call forwarding (Avito+Redirection): getNumbersStatus has a `_1` key. */
  forwarding?: boolean;
  rule: ServiceRule;
  sample: { from: string; text: string };
  /** Default price in Russia, kopecks; other countries scale it. */
  basePrice: number;
}

/** How an incoming SMS is recognised as this service's and where its code is. */
export interface ServiceRule {
  /** Sender or text must match this (case-insensitive); empty matches any SMS. */
  match: string;
  /** Capturing groups joined give the code; unset: the first group of 4–8 digits. */
  code?: string;
}

const named = (word: string): ServiceRule => ({ match: word });

export const services: readonly ServiceDef[] = [
  { id: 'other', name: 'Not in list', getsms: ['or', 'ot'], smsActivate: 'ot', smsReg: ['other'], forwarding: true, rule: { match: '' }, sample: { from: 'INFO', text: 'Your verification code is {code}' }, basePrice: 1000 },
  { id: 'openai', name: 'OpenAI', getsms: ['mg'], smsActivate: 'dr', smsReg: ['mg', 'openai'], rule: named('openai|chatgpt'), sample: { from: 'OpenAI', text: 'Your OpenAI verification code is: {code}' }, basePrice: 2500 },
  { id: 'yappy', name: 'Yappy', getsms: ['me'], smsReg: ['me'], rule: named('yappy'), sample: { from: 'Yappy', text: 'Yappy: your code {code}' }, basePrice: 800 },
  { id: 'izikz', name: 'IZI KZ', getsms: ['dt'], smsReg: ['dt'], rule: named('izi'), sample: { from: 'IZI', text: 'IZI: kod podtverzhdeniya {code}' }, basePrice: 800 },
  { id: 'telegram', name: 'Telegram', getsms: ['tg'], smsActivate: 'tg', smsReg: ['telegram'], rule: named('telegram'), sample: { from: 'Telegram', text: 'Telegram code: {code}\n\nYou can also tap on this link to log in:\nhttps://t.me/login/{code}' }, basePrice: 2500 },
  { id: 'whatsapp', name: 'WhatsApp', getsms: ['wa'], smsActivate: 'wa', smsReg: ['whatsapp'], rule: { match: 'whatsapp', code: '(\\d{3})-(\\d{3})' }, sample: { from: 'WhatsApp', text: 'Your WhatsApp code: {code3}-{code3b}\nDon\'t share this code with others' }, basePrice: 3500 },
  { id: 'bookmakers', name: 'Букмекеры', getsms: ['oi'], smsReg: ['oi'], rule: named('bet|fonbet|liga|winline|marathon|1xbet|parimatch'), sample: { from: 'Fonbet', text: 'Kod dlya registracii: {code}' }, basePrice: 1200 },
  { id: 'joyride', name: 'Joyride', getsms: ['pm'], smsReg: ['pm'], rule: named('joyride'), sample: { from: 'Joyride', text: 'Joyride code {code}' }, basePrice: 600 },
  { id: 'olx', name: 'OLX', getsms: ['sn'], smsActivate: 'sn', smsReg: ['sn', 'olx'], rule: named('olx'), sample: { from: 'OLX', text: 'OLX: kod {code}' }, basePrice: 700 },
  { id: 'tinder', name: 'Tinder', getsms: ['td'], smsActivate: 'oi', smsReg: ['td', 'tinder'], rule: named('tinder'), sample: { from: 'Tinder', text: 'Your Tinder code is {code}' }, basePrice: 1500 },
  { id: 'pandao', name: 'Pandao', getsms: ['nd'], smsReg: ['nd'], rule: named('pandao'), sample: { from: 'Pandao', text: 'Pandao: {code}' }, basePrice: 500 },
  { id: 'naver', name: 'Naver', getsms: ['nv'], smsActivate: 'nv', smsReg: ['nv'], rule: named('naver'), sample: { from: 'Naver', text: '[Naver] verification code [{code}]' }, basePrice: 1500 },
  { id: 'blablacar', name: 'BlaBlaCar', getsms: ['bc'], smsActivate: 'ua', smsReg: ['bc'], rule: named('blablacar|blabla'), sample: { from: 'BlaBlaCar', text: 'BlaBlaCar code: {code}' }, basePrice: 700 },
  { id: 'vk', name: 'VK.com', getsms: ['vk'], smsActivate: 'vk', smsReg: ['vk'], rule: named('vk|vkontakte'), sample: { from: 'VK', text: 'VK: {code} - vash kod dlya registracii' }, basePrice: 2000 },
  { id: 'discord', name: 'Discord', getsms: ['ds'], smsActivate: 'ds', smsReg: ['ds', 'discord'], rule: named('discord'), sample: { from: 'Discord', text: 'Your Discord verification code is: {code}' }, basePrice: 900 },
  { id: 'avito', name: 'Avito', getsms: ['at', 'av'], smsActivate: 'av', smsReg: ['avito'], forwarding: true, rule: named('avito'), sample: { from: 'AVITO', text: '{code} - kod podtverzhdeniya Avito' }, basePrice: 1800 },
  { id: 'youla', name: 'Youla', getsms: ['yl'], smsActivate: 'ym', smsReg: ['yl', 'youla'], forwarding: true, rule: named('youla|юла'), sample: { from: 'Youla', text: 'Kod dlya vhoda v Youla: {code}' }, basePrice: 900 },
  { id: 'meetme', name: 'MeetMe', getsms: ['uk'], smsActivate: 'fd', smsReg: ['uk', 'meetme'], rule: named('meetme|mamba'), sample: { from: 'MeetMe', text: 'MeetMe code: {code}' }, basePrice: 500 },
  { id: 'uber', name: 'Uber', getsms: ['ub'], smsActivate: 'ub', smsReg: ['ub', 'uber'], rule: named('uber'), sample: { from: 'Uber', text: 'Your Uber code: {code}. Never share this code.' }, basePrice: 800 },
  { id: 'kakaotalk', name: 'KakaoTalk', getsms: ['kt'], smsActivate: 'kt', smsReg: ['kt', 'kakaotalk'], rule: named('kakao'), sample: { from: 'Kakao', text: '[KakaoTalk] code [{code}]' }, basePrice: 1000 },
  { id: 'mailru', name: 'Mail.ru', getsms: ['ma'], smsActivate: 'ma', smsReg: ['ma', 'mailru'], rule: named('mail\\.?ru|vk ?id'), sample: { from: 'Mail.ru', text: 'Kod podtverzhdeniya: {code}. Mail.ru' }, basePrice: 700 },
  { id: 'instagram', name: 'Instagram', getsms: ['ig'], smsActivate: 'ig', smsReg: ['instagram'], rule: { match: 'instagram', code: '(\\d{3}) ?(\\d{3})' }, sample: { from: 'Instagram', text: 'Use {code3} {code3b} to verify your Instagram account.' }, basePrice: 1600 },
  { id: 'okru', name: 'OK.ru', getsms: ['ok'], smsActivate: 'ok', smsReg: ['classmates'], rule: named('ok\\.ru|odnoklassniki|^ok$'), sample: { from: 'OK.RU', text: 'Kod {code} dlya registracii OK' }, basePrice: 1200 },
  { id: 'yahoo', name: 'Yahoo', getsms: ['mb'], smsActivate: 'mb', smsReg: ['mb', 'yahoo'], rule: named('yahoo'), sample: { from: 'Yahoo', text: 'Your Yahoo verification code is {code}' }, basePrice: 600 },
  { id: 'facebook', name: 'Facebook', getsms: ['fb'], smsActivate: 'fb', smsReg: ['facebook'], rule: named('facebook|fb'), sample: { from: 'Facebook', text: '{code} is your Facebook confirmation code' }, basePrice: 1400 },
  { id: 'microsoft', name: 'Microsoft', getsms: ['mm'], smsActivate: 'mm', smsReg: ['mm', 'microsoft'], rule: named('microsoft'), sample: { from: 'Microsoft', text: 'Use {code} as Microsoft account security code' }, basePrice: 1100 },
  { id: 'steam', name: 'Steam', getsms: ['sm'], smsActivate: 'mt', smsReg: ['sm', 'steam'], rule: named('steam'), sample: { from: 'Steam', text: 'Steam verification code: {code}' }, basePrice: 900 },
  { id: 'wechat', name: 'WeChat', getsms: ['wb'], smsActivate: 'wb', smsReg: ['wb', 'wechat'], rule: named('wechat|weixin'), sample: { from: 'WeChat', text: '[WeChat] Verification code: {code}' }, basePrice: 3000 },
  { id: 'aol', name: 'AOL', getsms: ['we'], smsActivate: 'pm', smsReg: ['we', 'aol'], rule: named('aol'), sample: { from: 'AOL', text: 'Your AOL verification code is {code}' }, basePrice: 600 },
  { id: 'google', name: 'Google', getsms: ['gm', 'go'], smsActivate: 'go', smsReg: ['gmail'], rule: named('google|g-'), sample: { from: 'Google', text: 'G-{code} is your Google verification code.' }, basePrice: 2200 },
  { id: 'twitter', name: 'Twitter', getsms: ['tw'], smsActivate: 'tw', smsReg: ['twitter'], rule: named('twitter|^x$'), sample: { from: 'Twitter', text: 'Your Twitter confirmation code is {code}.' }, basePrice: 1300 },
  { id: 'viber', name: 'Viber', getsms: ['vr', 'vi'], smsActivate: 'vi', smsReg: ['viber'], rule: named('viber'), sample: { from: 'Viber', text: 'Your Viber code: {code}' }, basePrice: 1000 },
  { id: 'yandex', name: 'Yandex', getsms: ['ya'], smsActivate: 'ya', smsReg: ['ya'], forwarding: true, rule: named('yandex'), sample: { from: 'Yandex', text: 'Kod podtverzhdeniya: {code}. Yandex' }, basePrice: 1000 },
  // sms-activate only: its clients index these keys in getNumbersStatus (python smsactivateru).
  { id: 'qiwi', name: 'Qiwi', smsActivate: 'qw', rule: named('qiwi'), sample: { from: 'QIWIWallet', text: 'Kod: {code}. QIWI' }, basePrice: 1500 },
  { id: 'gett', name: 'Gett', smsActivate: 'gt', rule: named('gett'), sample: { from: 'Gett', text: 'Gett code {code}' }, basePrice: 500 },
  { id: 'hezzl', name: 'Hezzl', smsActivate: 'ss', rule: named('hezzl'), sample: { from: 'Hezzl', text: 'Hezzl: {code}' }, basePrice: 500 },
  { id: 'airbnb', name: 'Airbnb', smsActivate: 'uk', rule: named('airbnb'), sample: { from: 'Airbnb', text: 'Your Airbnb verification code is: {code}' }, basePrice: 900 },
  { id: 'line', name: 'LINE', smsActivate: 'me', rule: named('line'), sample: { from: 'LINE', text: 'Your LINE verification code: {code}' }, basePrice: 900 },
  { id: 'drugvokrug', name: 'DrugVokrug', smsActivate: 'we', rule: named('drugvokrug|drug vokrug'), sample: { from: 'DrugVokrug', text: 'DrugVokrug kod {code}' }, basePrice: 500 },
  { id: 'x5id', name: 'X5ID', smsActivate: 'bd', rule: named('x5|perekrestok|pyaterochka'), sample: { from: 'X5ID', text: 'Kod X5ID: {code}' }, basePrice: 500 },
  { id: 'hqtrivia', name: 'HQ Trivia', smsActivate: 'kp', rule: named('hq'), sample: { from: 'HQ', text: 'HQ Trivia code {code}' }, basePrice: 500 },
  { id: 'deliveryclub', name: 'Delivery Club', smsActivate: 'dt', rule: named('delivery'), sample: { from: 'DClub', text: 'Delivery Club: {code}' }, basePrice: 500 },
  { id: 'dent', name: 'Dent', smsActivate: 'zz', rule: named('dent'), sample: { from: 'DENT', text: 'DENT code: {code}' }, basePrice: 500 },
  { id: 'linkedin', name: 'LinkedIn', smsActivate: 'tn', rule: named('linkedin'), sample: { from: 'LinkedIn', text: 'Your LinkedIn verification code is {code}.' }, basePrice: 1000 },
];
