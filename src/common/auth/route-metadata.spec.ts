import { describe, expect, it, jest } from '@jest/globals';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { IS_PUBLIC, Public } from './public.decorator.js';
import { RouteMetadata } from './route-metadata.js';

class BaseController {
  list(): void {}
}
@Public()
class PublicController extends BaseController {}
class PrivateController extends BaseController {
  @Public()
  open(): void {}
}

const contextOf = (controller: object, handler: unknown) =>
  ({ getClass: () => controller, getHandler: () => handler }) as unknown as ExecutionContext;

describe('RouteMetadata', () => {
  it('answers as Reflector.getAllAndOverride per controller, for a handler two controllers share', () => {
    const isPublic = new RouteMetadata<boolean>(new Reflector(), IS_PUBLIC);
    const shared = BaseController.prototype.list;

    expect(isPublic.of(contextOf(PublicController, shared))).toBe(true);
    expect(isPublic.of(contextOf(PrivateController, shared))).toBeUndefined();
    expect(isPublic.of(contextOf(PrivateController, PrivateController.prototype.open))).toBe(true);
  });

  it('reads the metadata once per controller and handler', () => {
    const reflector = new Reflector();
    const read = jest.spyOn(reflector, 'getAllAndOverride');
    const isPublic = new RouteMetadata<boolean>(reflector, IS_PUBLIC);
    const context = contextOf(PrivateController, PrivateController.prototype.open);

    for (let i = 0; i < 3; i++) expect(isPublic.of(context)).toBe(true);
    expect(isPublic.of(contextOf(PublicController, BaseController.prototype.list))).toBe(true);

    expect(read).toHaveBeenCalledTimes(2);
  });
});
