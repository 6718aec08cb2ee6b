import type { AllConfig } from '../config/config.types.js';
import { runPendingMigrations } from '../database/run-migrations.js';

/**
 * `migrate`: applies pending migrations to DATABASE_URL (or the embedded cluster) and returns the
 * line to print. Needs only the build and the production dependencies, unlike
 * `npm run migration:run` (tsx), so a container or a Kubernetes Job can run it before a rollout.
 */
export async function migrate(config: AllConfig): Promise<string> {
  const applied = await runPendingMigrations(config.database);
  return applied.length === 0 ? 'No pending migrations' : `Applied ${applied.length} migration(s): ${applied.join(', ')}`;
}
