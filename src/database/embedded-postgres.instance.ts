import type { LoggerService } from '@nestjs/common';
import { EmbeddedPostgres } from './embedded-postgres.js';

let instance: EmbeddedPostgres | undefined;

/** The process-wide embedded cluster: started by DatabaseModule, stopped by main.ts/cli.ts after the app closes. */
export function embeddedPostgres(dataDir: string, logger: LoggerService): EmbeddedPostgres {
  instance ??= new EmbeddedPostgres({ dataDir, database: 'auth', log: (message) => logger.log(message) });
  return instance;
}

export async function stopEmbeddedPostgres(): Promise<void> {
  await instance?.stop();
  instance = undefined;
}
