export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const sleepUntil = (epochMs: number) => sleep(Math.max(0, epochMs - Date.now()));

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

/**
 * Sessions keep their times in whole seconds, truncated down (they are the refresh token's
 * iat/exp). Tests of second-long lifetimes start just after a second boundary, so "1.2 s later"
 * means the same to the test as to the database. Returns that boundary (epoch ms).
 */
export async function startOfNextSecond(): Promise<number> {
  const boundary = Math.ceil((Date.now() + 1) / 1000) * 1000;
  await sleepUntil(boundary + 10);
  return boundary;
}
