// Jest's ESM mode on Node < 24.9 cannot require() an ES module, but @nestjs/throttler 6.7 is
// CommonJS and requires the ESM-only @nestjs/common and @nestjs/core (plain Node 20.19+ can:
// production is unaffected). This evaluates such a package's own files with a require() that
// hands them the ES module namespaces jest already loaded, so there is one Nest instance.
import * as common from '@nestjs/common';
import * as core from '@nestjs/core';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

const jestRequire = createRequire(import.meta.url);
const esModules = { '@nestjs/common': common, '@nestjs/core': core };
const cache = new Map();

/** Loads the CommonJS file `entry` (a resolvable path) and the package files it requires. */
export function loadCommonJs(entry) {
  return evaluate(jestRequire.resolve(entry));
}

function evaluate(file) {
  const cached = cache.get(file);
  if (cached) return cached.exports;
  const module = { exports: {} };
  cache.set(file, module);
  const fileRequire = createRequire(file);
  const require = (specifier) => {
    if (specifier in esModules) return esModules[specifier];
    if (specifier.startsWith('.')) return evaluate(fileRequire.resolve(specifier));
    return fileRequire(specifier);
  };
  const body = readFileSync(file, 'utf8');
  new Function('exports', 'require', 'module', '__filename', '__dirname', body)(
    module.exports,
    require,
    module,
    file,
    dirname(file),
  );
  return module.exports;
}
