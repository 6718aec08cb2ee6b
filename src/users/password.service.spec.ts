import { beforeAll, describe, expect, it } from '@jest/globals';
import { PasswordService } from './password.service.js';

/** Real argon2id (slow by design at these parameters): no fakes here. */
describe('PasswordService', () => {
  let passwords: PasswordService;

  // One service for the suite: it is stateless apart from the dummy hash made at init.
  beforeAll(async () => {
    passwords = new PasswordService();
    await passwords.onModuleInit();
  });

  it('hashes with argon2id at OWASP minimum parameters (19 MiB, 2 passes, 1 lane)', async () => {
    const hash = await passwords.hash('correct horse battery staple');

    expect(hash.startsWith('$argon2id$v=19$m=19456,t=2,p=1$')).toBe(true);
    expect(hash).not.toContain('correct horse battery staple');
  });

  it('salts every hash', async () => {
    const [first, second] = await Promise.all([passwords.hash('same password'), passwords.hash('same password')]);

    expect(first).not.toBe(second);
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await passwords.hash('correct horse battery staple');

    await expect(passwords.verify(hash, 'correct horse battery staple')).resolves.toBe(true);
    await expect(passwords.verify(hash, 'correct horse battery stapler')).resolves.toBe(false);
  });

  it('never truncates: a 128-character password differs from its 127-character prefix', async () => {
    const long = 'x'.repeat(127) + 'y';
    const hash = await passwords.hash(long);

    await expect(passwords.verify(hash, long)).resolves.toBe(true);
    await expect(passwords.verify(hash, long.slice(0, 127))).resolves.toBe(false);
  });

  it('returns false for an unknown user (undefined hash), whatever the password', async () => {
    await expect(passwords.verify(undefined, 'correct horse battery staple')).resolves.toBe(false);
    await expect(passwords.verify(undefined, '')).resolves.toBe(false);
  });

  it('returns false, not an error, for a malformed stored hash', async () => {
    await expect(passwords.verify('not-an-argon2-hash', 'correct horse battery staple')).resolves.toBe(false);
  });

  it('normalises to NFKC: composed and decomposed é verify against each other', async () => {
    const composed = 'caf\u00e9 au lait!';
    const decomposed = 'cafe\u0301 au lait!';
    expect(composed).not.toBe(decomposed);

    await expect(passwords.verify(await passwords.hash(composed), decomposed)).resolves.toBe(true);
    await expect(passwords.verify(await passwords.hash(decomposed), composed)).resolves.toBe(true);
  });

  it('treats different letters as different after normalisation', async () => {
    const hash = await passwords.hash('caf\u00e9 au lait!');

    await expect(passwords.verify(hash, 'cafe au lait!')).resolves.toBe(false);
  });
});
