import type { RedisConfig } from './config.types.js';
import type { EnvReader } from './env-reader.js';

export function redisConfig(env: EnvReader): RedisConfig {
  return { url: env.url('REDIS_URL') };
}
