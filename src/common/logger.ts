import type { LoggerService } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';

/**
 * Logging is pino, written straight from a Fastify hook instead of nestjs-pino (pino-http behind
 * Nest's middleware layer plus an AsyncLocalStorage scope per request): one `logger.info` per
 * response. Performance workaround for the `verify` benchmark scenario (README, Performance).
 */
export function createLogger(level: string): pino.Logger {
  return pino({ level, base: { pid: process.pid } }, stdout());
}

let destination: pino.DestinationStream | undefined;

/**
 * Standard output, one per process, written in batches of at least 4 KiB, or at least every 200 ms,
 * and flushed at exit. Performance workaround for the `verify` and `refresh` benchmark scenarios
 * (README, Performance): lines are gathered here and handed to sonic-boom a batch at a time,
 * because sonic-boom's own `minLength` buffering measures its growing buffer again on every line.
 * Each batch is written synchronously (pino's default), as Node writes to a pipe or file on
 * Linux anyway: an asynchronous write costs a thread-pool round trip per batch.
 */
function stdout(): pino.DestinationStream {
  if (!destination) {
    const stream = pino.destination({ dest: 1, sync: true });
    const batch = new LineBatch((chunk) => stream.write(chunk));
    setInterval(() => batch.flush(), 200).unref();
    process.on('exit', () => {
      batch.flush();
      stream.flushSync();
    });
    destination = batch;
  }
  return destination;
}

/** Collects lines and passes them on joined, once they reach `minLength` characters or on flush(). */
export class LineBatch implements pino.DestinationStream {
  private lines: string[] = [];
  private length = 0;

  constructor(
    private readonly out: (chunk: string) => void,
    private readonly minLength = 4096,
  ) {}

  write(line: string): void {
    this.lines.push(line);
    this.length += line.length;
    if (this.length >= this.minLength) this.flush();
  }

  flush(): void {
    if (this.lines.length === 0) return;
    const chunk = this.lines.join('');
    this.lines = [];
    this.length = 0;
    this.out(chunk);
  }
}

/**
 * One line per request with the request id (the X-Request-Id the client saw), method, URL,
 * status and time. Only those fields: headers (Authorization, cookies) never reach a log.
 */
export function logRequests(fastify: FastifyInstance, logger: pino.Logger): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const fields = {
      reqId: request.id,
      method: request.method,
      url: request.url,
      statusCode: reply.statusCode,
      responseTime: Math.round(reply.elapsedTime * 100) / 100,
    };
    if (reply.statusCode >= 500) logger.error(fields, 'request completed');
    else logger.info(fields, 'request completed');
    done();
  });
}

/** Nest's LoggerService on the same pino instance (`context` = the Nest class that logs). */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: pino.Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: pino.Level, message: unknown, rest: unknown[]): void {
    // Nest passes the context last, and for errors a stack before it.
    const context = typeof rest.at(-1) === 'string' ? (rest.pop() as string) : undefined;
    const stack = typeof rest[0] === 'string' ? rest[0] : undefined;
    if (message instanceof Error) this.logger[level]({ context, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.logger[level]({ context, ...message }, stack);
    else this.logger[level]({ context, ...(stack ? { stack } : {}) }, String(message));
  }
}
