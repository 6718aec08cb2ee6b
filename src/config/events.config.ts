import type { EventsConfig } from './config.types.js';
import type { EnvReader } from './env-reader.js';

export function eventsConfig(env: EnvReader): EventsConfig {
  return {
    retentionSeconds: env.duration('AUTH_EVENTS_RETENTION', '90d'),
    refresh: env.oneOf('AUTH_EVENTS_REFRESH', ['changes', 'all', 'off'] as const, 'changes'),
  };
}
