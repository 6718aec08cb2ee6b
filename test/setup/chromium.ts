/** Debian's Chromium, which .ci/run installs; the browser suites drive it with playwright-core. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Headless as root on a machine without a network: no sandbox, no GPU, and none of the background
 * connections (updates, sync, QUIC probes) that would flood a closed network.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
