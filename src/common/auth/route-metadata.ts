import type { ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';

type Handler = (...args: never[]) => unknown;

/**
 * `Reflector.getAllAndOverride(key, [handler, controller])`, read once per controller and handler:
 * decorators set route metadata when the classes are defined, so it never changes afterwards.
 * The global guards ask on every request. Performance workaround for the `verify` benchmark
 * scenario (README, Performance).
 */
export class RouteMetadata<T> {
  private readonly byController = new WeakMap<object, Map<Handler, T | undefined>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly key: string,
  ) {}

  of(context: ExecutionContext): T | undefined {
    const controller = context.getClass();
    const handler = context.getHandler() as Handler;
    let byHandler = this.byController.get(controller);
    if (!byHandler) this.byController.set(controller, (byHandler = new Map()));
    if (byHandler.has(handler)) return byHandler.get(handler);
    const value = this.reflector.getAllAndOverride<T | undefined>(this.key, [handler, controller]);
    byHandler.set(handler, value);
    return value;
  }
}
