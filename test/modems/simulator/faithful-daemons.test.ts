import test, { type ExecutionContext } from 'ava';
import { join } from 'node:path';
import { serveControl, VirtualFarm } from '../../../modems/simulator/at/index.ts';
import { eventually, gammuInbox, gammuSmsd, requireCommand, smsd, smsdIncoming } from './daemons.ts';
import { tempDir } from './helpers.ts';

/**
 * The faithfulness test issue 3 asks for: Debian's own SMS daemons, pointed at
 * a simulated channel's PTY, read what the simulated network delivered and
 * write the same texts to their inboxes (and delete them from the SIM).
 */

const messages = [
  { from: '+79161234567', text: 'Your code is 1234' },                                  // GSM-7
  { from: '+79031112233', text: 'Код подтверждения: 5678. Никому не сообщайте его.' },   // UCS2 Cyrillic
  { from: 'Telegram', text: 'Telegram code 12345. Do not give this code to anyone. '.repeat(4).trim() }, // 2 parts
];

async function farmWithControl(t: ExecutionContext) {
  const dir = await tempDir(t);
  const farm = await VirtualFarm.start({ dir: join(dir, 'farm'), channels: 1, slots: 1 });
  const { server, url } = await serveControl(farm);
  t.teardown(async () => {
    server.close();
    await farm.stop();
  });
  const phone = farm.view(farm.channels[0]!).slots[0]!.sim!.phone;
  const deliver = async (m: { from: string; text: string }) => {
    const res = await fetch(`${url}/sms`, { method: 'POST', body: JSON.stringify({ to: phone, ...m }) });
    return (await res.json()) as { parts: number; stored: number[] };
  };
  const storage = async () => (await (await fetch(`${url}/sims/${phone}/storage`)).json()) as unknown[];
  return { dir, farm, port: farm.ports()[0]!, deliver, storage };
}

const sorted = (xs: { from: string; text: string }[]) => [...xs].sort((a, b) => a.text.localeCompare(b.text));

test('gammu-smsd (ReceiveFrequency=1) reads GSM-7, UCS2 Cyrillic and 2-part SMS from the simulator', async (t) => {
  if (!requireCommand(t, 'gammu-smsd', ['--version'], 'gammu-smsd')) return;
  const { dir, port, deliver, storage } = await farmWithControl(t);
  t.is((await deliver(messages[0]!)).parts, 1); // waits on the SIM before the daemon starts
  const { inbox } = await gammuSmsd(t, join(dir, 'gammu'), port);
  await eventually(async () => ((await gammuInbox(inbox)).length >= 1 ? true : undefined), 45_000, 'first SMS in the inbox');
  t.is((await deliver(messages[1]!)).parts, 1);
  t.is((await deliver(messages[2]!)).parts, 2);
  const got = await eventually(async () => {
    const texts = await gammuInbox(inbox);
    return texts.length === 3 && texts.every((m) => messages.some((e) => e.text === m.text)) ? texts : undefined;
  }, 45_000, 'three texts in the gammu inbox');
  t.deepEqual(sorted(got), sorted(messages));
  // Store, then delete: gammu deletes each message once its file is written.
  await eventually(async () => ((await storage()).length === 0 ? true : undefined), 10_000, 'SIM storage emptied');
});

test('smstools smsd (delaytime=1) reads GSM-7, UCS2 Cyrillic and 2-part SMS from the simulator', async (t) => {
  if (!requireCommand(t, 'smsd', ['-V'], 'smstools')) return;
  const { dir, port, deliver, storage } = await farmWithControl(t);
  await deliver(messages[0]!);
  const { incoming } = await smsd(t, join(dir, 'smsd'), port);
  await eventually(async () => ((await smsdIncoming(incoming)).length >= 1 ? true : undefined), 45_000, 'first SMS incoming');
  await deliver(messages[1]!);
  await deliver(messages[2]!);
  const got = await eventually(async () => {
    const texts = await smsdIncoming(incoming);
    return texts.length === 3 && texts.every((m) => messages.some((e) => e.text === m.text)) ? texts : undefined;
  }, 45_000, 'three texts in smsd incoming');
  // smsd writes the sender without "+" (From_TOA says international).
  t.deepEqual(sorted(got), sorted(messages.map((m) => ({ ...m, from: m.from.replace(/^\+/, '') }))));
  await eventually(async () => ((await storage()).length === 0 ? true : undefined), 10_000, 'SIM storage emptied');
});
