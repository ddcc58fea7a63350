import { sampleSms, type ActivationRegistry, type Log } from '../actors/index.ts';
import type { SimulatedFarm } from '../modems/index.ts';

/**
 * SIM_AUTO_SMS: a demo responder. Each newly handed-out number gets a
 * realistic SMS for its service after `delayMs`, through the simulated farm,
 * exactly as if the service had texted it.
 */
export function autoResponder(registry: ActivationRegistry, farm: SimulatedFarm, delayMs: number, log: Log) {
  const timers = new Set<NodeJS.Timeout>();
  const unsubscribe = registry.subscribe((news) => {
    if (news.type !== 'activation.opened') return;
    const { phone, service, id } = news.activation;
    const timer = setTimeout(() => {
      timers.delete(timer);
      const sms = sampleSms(service);
      farm.deliver(phone, sms.from, sms.text).catch((err) => log.warn({ err, activationId: id }, 'demo SMS not delivered'));
    }, delayMs);
    timer.unref();
    timers.add(timer);
  });
  return () => {
    unsubscribe();
    for (const t of timers) clearTimeout(t);
  };
}
