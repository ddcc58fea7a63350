export {
  ActivationRegistry, type ActivationNews, type ActivationView, type CommandOutcome, type OrderOutcome,
  type OrderRequest, type RegistryOptions, type RepeatOutcome,
} from './registry.ts';
