import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AllConfig } from '../config/config.types.js';
import { MetricsTokenInvalidException, MetricsTokenMissingException } from './metrics.exceptions.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * With METRICS_TOKEN set, /metrics needs it as a bearer. Digests are compared, so the comparison
 * takes the same time whatever the presented token's length and content.
 */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  private readonly expected?: Buffer;

  constructor(config: ConfigService<AllConfig, true>) {
    const token = config.get('metrics.token', { infer: true });
    this.expected = token === undefined ? undefined : digest(token);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) return true;
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers.authorization;
    const presented = header?.match(/^Bearer +(\S+) *$/i)?.[1];
    if (!presented) throw new MetricsTokenMissingException();
    if (!timingSafeEqual(digest(presented), this.expected)) throw new MetricsTokenInvalidException();
    return true;
  }
}
