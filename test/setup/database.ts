import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A database of its own for one suite, on the run's server; dropped by the suite (or globalTeardown). */
export class TestDatabase {
  private constructor(
    readonly name: string,
    readonly url: string,
  ) {}

  static async create(): Promise<TestDatabase> {
    const adminUrl = process.env.TEST_ADMIN_DATABASE_URL;
    if (!adminUrl) throw new Error('Run the e2e suite through `npm test` (jest globalSetup provides the server).');
    const name = `auth_test_${process.env.TEST_RUN_ID}_${randomBytes(4).toString('hex')}`;
    await withClient(adminUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return new TestDatabase(name, url.toString());
  }

  /** Runs SQL against this database (assertions on its state). */
  async query<T extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return withClient(this.url, async (client) => (await client.query<T>(sql, params)).rows);
  }

  async drop(): Promise<void> {
    await withClient(process.env.TEST_ADMIN_DATABASE_URL!, (client) =>
      client.query(`DROP DATABASE IF EXISTS "${this.name}" WITH (FORCE)`),
    );
  }
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
