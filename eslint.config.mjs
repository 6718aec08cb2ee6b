import eslint from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Dependencies run one way (STYLE.md rule 17): auth -> account -> sessions -> users ->
 * common/config/database/metrics (mail beside them, knowing none),
 * and only the composition root (app.module.ts, plus the CLI) imports auth. Spec files may wire in
 * a real guard or exception from another module.
 */
const wrongWay = (files, regex, message, ignores = []) => ({
  files,
  ignores: ['src/**/*.spec.ts', ...ignores],
  rules: { 'no-restricted-imports': ['error', { patterns: [{ regex, message }] }] },
});
const below = (dir, features) =>
  wrongWay([`src/${dir}/**/*.ts`], `^(\\.\\./)+(${features.join('|')})/`, `${dir} must not depend on ${features.join(', ')}.`);
const dependencyDirection = [
  wrongWay(['src/*.ts'], '^\\./auth/', 'Only app.module.ts imports the auth module.', ['src/app.module.ts']),
  wrongWay(['src/*/**/*.ts'], '^(\\.\\./)+auth/', 'Only app.module.ts imports the auth module.', ['src/auth/**', 'src/cli/**']),
  below('common', ['auth', 'sessions', 'users', 'health']),
  below('config', ['auth', 'sessions', 'users', 'health']),
  below('database', ['auth', 'sessions', 'users', 'health']),
  // Features report to metrics; metrics knows none of them (their events arrive by name).
  below('metrics', ['auth', 'sessions', 'users', 'health', 'account', 'mail']),
  below('users', ['auth', 'sessions', 'account', 'mail']),
  below('sessions', ['account', 'mail']),
  below('mail', ['auth', 'sessions', 'users', 'account']),
];

/** Only repositories, entities and the database layer touch TypeORM or pg (STYLE.md rule 3). */
const persistenceInDatabaseLayer = {
  files: ['src/**/*.ts'],
  ignores: ['src/**/*.repository.ts', 'src/**/entities/*.entity.ts', 'src/database/**'],
  rules: {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: '^(typeorm|@nestjs/typeorm|pg)(/|$)',
            message: 'Go through a repository or src/database/: only they touch TypeORM or pg.',
          },
        ],
      },
    ],
  },
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.data/', 'bench/results/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: globals.node,
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'off',
      'no-console': ['error', { allow: ['error', 'warn'] }],
    },
  },
  {
    files: ['bench/**/*.mjs', 'test/setup/**/*.mjs', '*.mjs'],
    rules: { 'no-console': 'off' },
  },
  ...dependencyDirection,
  persistenceInDatabaseLayer,
);
