import { InitialSchema1764000000000 } from './migrations/1764000000000-InitialSchema.js';
import { ScalableCleanup1765000000000 } from './migrations/1765000000000-ScalableCleanup.js';
import { LinkTokens1765100000000 } from './migrations/1765100000000-LinkTokens.js';
import { AccountAdministration1765150000000 } from './migrations/1765150000000-AccountAdministration.js';

/**
 * Every migration, oldest first. `npm run migration:generate` writes a new file into
 * migrations/; add its class here (a unit spec fails when a file is missing from this list).
 */
export const MIGRATIONS = [
  InitialSchema1764000000000,
  ScalableCleanup1765000000000,
  LinkTokens1765100000000,
  AccountAdministration1765150000000,
];
