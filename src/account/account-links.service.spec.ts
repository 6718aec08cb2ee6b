import { describe, expect, it } from '@jest/globals';
import { describeDuration, hashLinkToken } from './account-links.service.js';

describe('describeDuration (the lifetime a mail states)', () => {
  it.each([
    [3600, '1 hour'],
    [86_400, '1 day'],
    [7200, '2 hours'],
    [90, '90 seconds'],
    [900, '15 minutes'],
    [1, '1 second'],
  ])('%i s → %s', (seconds, text) => {
    expect(describeDuration(seconds)).toBe(text);
  });
});

describe('hashLinkToken', () => {
  it('stores a SHA-256 hex digest, never the token', () => {
    const hash = hashLinkToken('q9ZpZ7b2Yd1Hc3k0aT8Qm4LrW6xV2sN5eJ1fU0gBt3o');

    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).toBe(hashLinkToken('q9ZpZ7b2Yd1Hc3k0aT8Qm4LrW6xV2sN5eJ1fU0gBt3o'));
    expect(hash).not.toBe(hashLinkToken('q9ZpZ7b2Yd1Hc3k0aT8Qm4LrW6xV2sN5eJ1fU0gBt3p'));
  });
});
