// jest in ESM mode (NestJS 12 is ESM-only): run through `npm test`, which sets
// NODE_OPTIONS=--experimental-vm-modules. @swc/jest transpiles (no type-check: `npm run typecheck`).
const swc = (moduleType) => [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: moduleType },
    sourceMaps: 'inline',
  },
];

const shared = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  // Sources import './x.js'; jest resolves the .ts file.
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // CommonJS package requiring ESM-only Nest 12: see test/setup/cjs-interop/load-commonjs.mjs.
    '^@nestjs/throttler$': '<rootDir>/test/setup/cjs-interop/nestjs-throttler.mjs',
  },
  transform: {
    '^.+\\.ts$': swc('es6'),
    // CommonJS packages require() these ESM-only ones; jest's require() needs them as CommonJS.
    '/node_modules/(cookie|content-disposition)/.+\\.js$': swc('commonjs'),
  },
  transformIgnorePatterns: ['/node_modules/(?!(cookie|content-disposition)/)'],
  testEnvironment: 'node',
};

export default {
  projects: [
    { ...shared, displayName: 'unit', rootDir: '.', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'e2e',
      rootDir: '.',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.mjs',
      globalTeardown: '<rootDir>/test/setup/global-teardown.mjs',
    },
  ],
  // A global option: jest ignores it inside `projects`. App boots and e2e flows get room on a busy machine.
  testTimeout: 30_000,
};
