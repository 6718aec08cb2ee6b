import type { FastifyInstance } from 'fastify';

interface Draining {
  active: boolean;
}

const states = new WeakMap<FastifyInstance, Draining>();

function stateOf(fastify: FastifyInstance): Draining {
  let state = states.get(fastify);
  if (!state) states.set(fastify, (state = { active: false }));
  return state;
}

/**
 * Keep-alive clients (HTTP libraries, load balancers) hold their connections open; a server that
 * stops accepting still waits for every open one to end. While `active`, each response must say
 * `Connection: close` (setupApp's onSend hook), so a connection ends as soon as its request is answered.
 */
export function connectionDraining(fastify: FastifyInstance): Readonly<Draining> {
  return stateOf(fastify);
}

/** From now on, every response closes its connection (see connectionDraining). */
export function startDraining(fastify: FastifyInstance): void {
  stateOf(fastify).active = true;
}
