import type { MetricsConfig } from './config.types.js';
import type { EnvReader } from './env-reader.js';

export function metricsConfig(env: EnvReader): MetricsConfig {
  return {
    enabled: env.bool('METRICS_ENABLED', true),
    token: env.string('METRICS_TOKEN'),
  };
}
