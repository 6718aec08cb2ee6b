import type { FastifyInstance } from 'fastify';

const draining = new WeakSet<FastifyInstance>();

/**
 * Keep-alive clients (HTTP libraries, load balancers) hold their connections open; a server that
 * stops accepting still waits for every open one to end. While draining, each response says
 * `Connection: close`, so a connection ends as soon as its request is answered.
 */
export function closeConnectionsWhenDraining(fastify: FastifyInstance): void {
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (draining.has(fastify)) void reply.header('connection', 'close');
    done(null, payload);
  });
}

/** From now on, every response closes its connection (see closeConnectionsWhenDraining). */
export function startDraining(fastify: FastifyInstance): void {
  draining.add(fastify);
}
