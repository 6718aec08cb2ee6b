import { expect } from '@jest/globals';
import type { Response } from 'supertest';

const PROBLEM_MEMBERS = ['type', 'title', 'status', 'detail', 'instance', 'code', 'errors'];

/** An RFC 9457 problem document with the given status and code, and nothing else in it. */
export function expectProblem(response: Response, status: number, code: string): void {
  expect({ status: response.status, code: response.body.code }).toEqual({ status, code });
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status, code });
  expect(Object.keys(response.body).filter((key) => !PROBLEM_MEMBERS.includes(key))).toEqual([]);
}
