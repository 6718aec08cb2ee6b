import { expect } from '@jest/globals';
import pg from 'pg';
import type { TestApp } from './create-test-app.js';

/** Assertions on database state: the rows behind what the API answered. */
export interface SessionRow {
  id: string;
  user_id: string;
  generation: number;
  rotated_at: Date;
  expires_at: Date;
  absolute_expires_at: Date;
  revoked_at: Date | null;
  revoke_reason: string | null;
  user_agent: string | null;
  ip: string | null;
}

/** Session times are whole seconds (they are the refresh token's iat/exp). */
export const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

export async function sessionRow(t: Pick<TestApp, 'db'>, sessionId: string): Promise<SessionRow> {
  const rows = await t.db.query<SessionRow>(
    `SELECT id, user_id, generation, rotated_at, expires_at, absolute_expires_at, revoked_at, revoke_reason, user_agent, ip
       FROM sessions WHERE id = $1`,
    [sessionId],
  );
  expect(rows).toHaveLength(1);
  return rows[0];
}

export function sessionsOfUser(t: Pick<TestApp, 'db'>, userId: string): Promise<Pick<SessionRow, 'id' | 'generation' | 'revoked_at' | 'revoke_reason' | 'user_agent' | 'ip'>[]> {
  return t.db.query(
    `SELECT id, user_id, generation, revoked_at, revoke_reason, user_agent, ip
       FROM sessions WHERE user_id = $1 ORDER BY created_at, id`,
    [userId],
  );
}

/** The user's sessions as `{ id, generation, revoked_at }`: one row per session ever opened. */
export const sessionStates = (t: Pick<TestApp, 'db'>, userId: string) =>
  t.db.query(`SELECT id, generation, revoked_at FROM sessions WHERE user_id = $1`, [userId]);

export function events(t: Pick<TestApp, 'db'>, where: { userId?: string; sessionId?: string; type: string }) {
  return t.db.query<{ user_id: string | null; session_id: string | null; ip: string | null; user_agent: string | null }>(
    `SELECT user_id, session_id, ip, user_agent FROM auth_events
      WHERE type = $1 AND ($2::uuid IS NULL OR user_id = $2) AND ($3::uuid IS NULL OR session_id = $3)
      ORDER BY id`,
    [where.type, where.userId ?? null, where.sessionId ?? null],
  );
}

export const eventCount = async (t: Pick<TestApp, 'db'>, sessionId: string, type: string) =>
  (await events(t, { sessionId, type })).length;

export function usersWithEmail(t: Pick<TestApp, 'db'>, email: string): Promise<{ id: string }[]> {
  return t.db.query<{ id: string }>('SELECT id FROM users WHERE lower(email) = lower($1)', [email.trim()]);
}

export async function countRows(t: Pick<TestApp, 'db'>, table: 'users' | 'sessions'): Promise<number> {
  const [row] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return row.n;
}

/**
 * The indexes PostgreSQL can answer `sql` with. Sequential scans are switched off for the plan:
 * a test table is tiny, so a scan would win there even where an index exists; a statement no
 * index can serve still plans as a scan, and shows none.
 */
export async function indexesUsedBy(t: Pick<TestApp, 'db'>, sql: string, params: unknown[]): Promise<string[]> {
  const client = new pg.Client({ connectionString: t.db.url });
  await client.connect();
  try {
    await client.query('SET enable_seqscan = off');
    const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${sql}`, params);
    const names: string[] = [];
    const walk = (node: PlanNode) => {
      if (node['Index Name']) names.push(node['Index Name']);
      node.Plans?.forEach(walk);
    };
    walk(rows[0]['QUERY PLAN'][0].Plan);
    return names;
  } finally {
    await client.end();
  }
}

interface PlanNode {
  'Index Name'?: string;
  Plans?: PlanNode[];
}
