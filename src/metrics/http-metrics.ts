import { Inject, Injectable } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Histogram, Registry } from 'prom-client';
import { appendRouteHook } from '../common/route-hooks.js';

/** The route label of a request no route matched: raw URLs would make the label set unbounded. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Seconds; finer than prom-client's defaults below 5 ms, where token checks answer. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type Observer = { observe(seconds: number): void };

/**
 * `http_request_duration_seconds{method,route,status_code}`, recorded when a response is sent.
 * Each route gets its own onResponse hook that already knows its pattern, and keeps the label
 * children it has used: a request costs two property lookups and one observation (`verify`
 * scenario of the benchmark).
 */
@Injectable()
export class HttpMetrics {
  private readonly durations: Histogram<'method' | 'route' | 'status_code'>;

  constructor(@Inject(Registry) registry: Registry) {
    this.durations = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from receiving a request to sending its response, by route pattern.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: BUCKETS,
      registers: [registry],
    });
  }

  /** Call before any route is registered (setupApp): routes added earlier are not observed. */
  instrument(fastify: FastifyInstance): void {
    fastify.addHook('onRoute', (route) => appendRouteHook(route, 'onResponse', this.recorder(route.url)));
    // Not-found answers have no route; they share one label.
    const unmatched = this.recorder(UNMATCHED_ROUTE);
    fastify.addHook('onResponse', (request, reply, done) => {
      if (request.is404) unmatched(request, reply, done);
      else done();
    });
  }

  private recorder(route: string) {
    // method → status code → child; both sets are small and bounded.
    const children: Record<string, Map<number, Observer>> = Object.create(null);
    return (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
      const method = request.method;
      const status = reply.statusCode;
      const byStatus = (children[method] ??= new Map());
      let child = byStatus.get(status);
      if (!child) {
        child = this.durations.labels(method, route, String(status));
        byStatus.set(status, child);
      }
      child.observe(reply.elapsedTime / 1000);
      done();
    };
  }
}
