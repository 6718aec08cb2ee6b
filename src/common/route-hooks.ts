import type { onRequestHookHandler, onResponseHookHandler, RouteOptions } from 'fastify';

/** Adds a hook to one route from an `onRoute` hook, after the hooks the route already has. */
export function appendRouteHook(route: RouteOptions, name: 'onRequest', hook: onRequestHookHandler): void;
export function appendRouteHook(route: RouteOptions, name: 'onResponse', hook: onResponseHookHandler): void;
export function appendRouteHook(route: RouteOptions, name: 'onRequest' | 'onResponse', hook: unknown): void {
  const existing: unknown = route[name] ?? [];
  Object.assign(route, { [name]: [...(Array.isArray(existing) ? existing : [existing]), hook] });
}
