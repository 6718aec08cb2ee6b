import { describe, expect, it } from '@jest/globals';
import { LineBatch } from './logger.js';

describe('LineBatch', () => {
  it('passes lines on joined, in order, once they reach the batch length', () => {
    const chunks: string[] = [];
    const batch = new LineBatch((chunk) => chunks.push(chunk), 10);

    batch.write('abcd\n');
    expect(chunks).toEqual([]);
    batch.write('efgh\n');
    batch.write('ij\n');

    expect(chunks).toEqual(['abcd\nefgh\n']);
  });

  it('passes on what it holds on flush, and nothing when it holds nothing', () => {
    const chunks: string[] = [];
    const batch = new LineBatch((chunk) => chunks.push(chunk), 4096);

    batch.flush();
    batch.write('one\n');
    batch.write('two\n');
    batch.flush();
    batch.flush();

    expect(chunks).toEqual(['one\ntwo\n']);
  });
});
