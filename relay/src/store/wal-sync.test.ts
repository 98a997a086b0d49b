// Unit tests of the deferred WAL sync on a real file: one sync in flight, callbacks once each and in order,
// inOrder work queued behind waiting callbacks without a sync of its own, syncNow, and final failures.
import { fdatasync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WalSync } from './wal-sync.ts';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'baton-wal-sync-'));
  path = join(dir, 'x.sqlite-wal');
  writeFileSync(path, 'frames');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A WalSync whose syncs wait until the test releases them (each release runs the real fdatasync, or fails). */
function held(fail?: Error): { sync: WalSync; release: (i: number) => void; count: () => number } {
  const waiting: (() => void)[] = [];
  const sync = new WalSync(path, (fd, cb) => waiting.push(() => (fail === undefined ? fdatasync(fd, cb) : cb(fail))));
  return { sync, release: (i) => waiting[i]!(), count: () => waiting.length };
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
}

describe('WalSync', () => {
  it('keeps one sync in flight; later requests share the next one; callbacks run once, in order', async () => {
    const { sync, release, count } = held();
    const log: string[] = [];
    sync.request((e) => log.push(`a ${e}`));
    sync.request((e) => log.push(`b ${e}`)); // the first sync started with a alone: b and c wait for the next
    sync.request((e) => log.push(`c ${e}`));
    expect(count()).toBe(1);
    release(0);
    await until(() => log.length === 1);
    expect(log).toEqual(['a null']);
    await until(() => count() === 2);
    release(1);
    await until(() => log.length === 3);
    expect(log).toEqual(['a null', 'b null', 'c null']);
    sync.close();
  });

  it('inOrder runs at once when nothing waits, else after the callbacks requested before it, without a sync of its own', async () => {
    const { sync, release, count } = held();
    const log: string[] = [];
    sync.inOrder(() => log.push('idle'));
    expect(log).toEqual(['idle']);
    sync.request(() => log.push('batch 1'));
    sync.inOrder(() => log.push('after 1'));
    sync.request(() => log.push('batch 2'));
    sync.inOrder(() => log.push('after 2'));
    expect(log).toEqual(['idle']);
    release(0);
    await until(() => log.length === 3);
    expect(log).toEqual(['idle', 'batch 1', 'after 1']);
    await until(() => count() === 2);
    release(1);
    await until(() => log.length === 5);
    expect(log).toEqual(['idle', 'batch 1', 'after 1', 'batch 2', 'after 2']);
    expect(count()).toBe(2);
    sync.close();
  });

  it('inOrder work caused by a callback joins the end of the batch being answered', async () => {
    const { sync, release } = held();
    const log: string[] = [];
    sync.request(() => {
      log.push('batch 1');
      sync.inOrder(() => log.push('caused by 1'));
    });
    // queued while batch 1 is in flight, so before the inOrder work batch 1 causes
    sync.inOrder(() => log.push('queued before'));
    release(0);
    await until(() => log.length === 3);
    expect(log).toEqual(['batch 1', 'queued before', 'caused by 1']);
    sync.close();
  });

  it('syncNow answers the sync in flight and every waiting request at once, and nobody twice', async () => {
    const { sync, release } = held();
    const log: string[] = [];
    sync.request((e) => log.push(`a ${e}`));
    sync.request((e) => log.push(`b ${e}`));
    sync.syncNow();
    expect(log).toEqual(['a null', 'b null']);
    release(0);
    await new Promise((r) => setTimeout(r, 30));
    expect(log).toEqual(['a null', 'b null']);
    sync.close();
  });

  it('a failed sync fails its requests and every later one without syncing again', async () => {
    const eio = new Error('EIO: i/o error, fdatasync');
    const { sync, release, count } = held(eio);
    const log: string[] = [];
    sync.request((e) => log.push(`a ${e?.message}`));
    release(0);
    expect(log).toEqual(['a EIO: i/o error, fdatasync']);
    expect(sync.failure).toBe(eio);
    sync.request((e) => log.push(`b ${e?.message}`));
    sync.syncNow();
    expect(log).toEqual(['a EIO: i/o error, fdatasync', 'b EIO: i/o error, fdatasync']);
    expect(count()).toBe(1);
    sync.close();
  });

  it('a WAL file that cannot be opened fails the request', () => {
    const sync = new WalSync(join(dir, 'missing', 'x-wal'));
    const errors: (Error | null)[] = [];
    sync.request((e) => errors.push(e));
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toMatch(/ENOENT/);
    sync.close();
  });

  it('a callback that throws does not keep the later ones from running; the exception surfaces after them', () => {
    const { sync } = held();
    const log: string[] = [];
    sync.request(() => {
      throw new Error('hook failed');
    });
    sync.request(() => log.push('second'));
    expect(() => sync.syncNow()).toThrow('hook failed');
    expect(log).toEqual(['second']);
    sync.request(() => log.push('third'));
    sync.syncNow();
    expect(log).toEqual(['second', 'third']);
    sync.close();
  });
});
