import { describe, expect, it } from '@jest/globals';
import type { FastifyRequest } from 'fastify';
import passport, { type Strategy } from 'passport';
import { runStrategy } from './run-strategy.js';

type Action = 'success' | 'fail' | 'error' | 'pass' | 'redirect' | 'throw';

type Actions = Record<Exclude<Action, 'throw'>, (...args: unknown[]) => void>;

/** A passport strategy (passport-strategy's protocol) that settles as the request's `action` header says. */
const scripted = {
  name: 'scripted',
  authenticate(this: Actions, request: FastifyRequest): void {
    const action = request.headers.action as Action;
    if (action === 'throw') throw new Error('thrown by the strategy');
    if (action === 'success') this.success({ id: 'u1' }, { scope: 'all' });
    else if (action === 'fail') this.fail('challenge', 401);
    else if (action === 'error') this.error(new Error('store down'));
    else if (action === 'redirect') this.redirect('https://idp.example.com');
    else this.pass();
  },
};
passport.use('scripted', scripted as unknown as Strategy);

const requestWith = (action: Action) => ({ headers: { action } }) as unknown as FastifyRequest;

describe('runStrategy', () => {
  it('settles with the user on success, the challenge on fail and the error on error', async () => {
    await expect(runStrategy('scripted', requestWith('success'))).resolves.toEqual({ user: { id: 'u1' }, info: undefined, error: null });
    await expect(runStrategy('scripted', requestWith('fail'))).resolves.toEqual({ user: false, info: 'challenge', error: null });
    const failed = await runStrategy('scripted', requestWith('error'));
    expect(failed).toEqual({ user: false, info: undefined, error: new Error('store down') });
  });

  it('does not authenticate a strategy that passes or redirects', async () => {
    for (const action of ['pass', 'redirect'] as const) {
      await expect(runStrategy('scripted', requestWith(action))).resolves.toEqual({ user: false, info: undefined, error: null });
    }
  });

  it('rejects with what the strategy throws, and for a name no strategy is registered under', async () => {
    await expect(runStrategy('scripted', requestWith('throw'))).rejects.toThrow('thrown by the strategy');
    await expect(runStrategy('nowhere', requestWith('success'))).rejects.toThrow('Unknown authentication strategy "nowhere"');
  });

  it('gives each request its own instance: the registered strategy is never written to', async () => {
    const registered = (passport as unknown as { _strategy(name: string): object })._strategy('scripted');
    await runStrategy('scripted', requestWith('success'));
    expect(Object.keys(registered)).not.toEqual(expect.arrayContaining(['success']));
  });
});
