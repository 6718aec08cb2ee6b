export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` until it returns a truthy value and returns that value; throws after `timeoutMs`.
 * For conditions the contract bounds in time (e.g. revocation within 1 s): the bound is the timeout.
 */
export async function waitFor<T>(check: () => T | Promise<T>, timeoutMs: number, intervalMs = 25): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() >= deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}
