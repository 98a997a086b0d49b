// The store's row limits (sql-limit.ts): statements with `LIMIT +?` return at most the bound number of rows, in
// order, on a real database file; and no statement the store prepares once uses a bare `LIMIT ?` (which makes
// SQLite prepare it again on every execution). The task listing, prepared per call, is the one exception.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from './sqlite-store.ts';
import type { BatchWrite } from './store.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function write(id: string, recipient: string, acceptedAt: number): BatchWrite {
  return {
    sender: 'did:key:zA', id, type: 'message', to: recipient, recipient, digest: `d-${id}`, json: `{"id":"${id}"}`,
    acceptedAt, exp: null,
  };
}

describe('store row limits', () => {
  it('returns at most the bound number of rows, in order, for each limit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-sql-limit-'));
    dirs.push(dir);
    const store = new SqliteStore(join(dir, 'baton.sqlite'), 'normal');
    try {
      const seqs = store.commitBatch(Array.from({ length: 7 }, (_, i) => write(`m${i}`, 'did:key:zB', 1_000 + i)));
      for (const limit of [1, 3, 7, 50]) {
        expect(store.nextPending('did:key:zB', 0, limit).map((r) => r.seq)).toEqual(seqs.slice(0, limit));
        expect(store.agedPending(5_000, limit).map((r) => r.seq)).toEqual(seqs.slice(0, limit));
      }
      // the same statement with another limit right after (the bound value is read on every execution)
      expect(store.nextPending('did:key:zB', seqs[2]!, 2).map((r) => r.seq)).toEqual(seqs.slice(3, 5));
      expect(store.nextPending('did:key:zC', 0, 5)).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('prepares no fixed statement with a bare LIMIT parameter', () => {
    const dir = new URL('.', import.meta.url);
    const bare: string[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'sql-limit.ts')) {
      readFileSync(new URL(file, dir), 'utf8').split('\n').forEach((line, i) => {
        if (/LIMIT \?/.test(line)) bare.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(bare).toEqual([]);
  });
});
