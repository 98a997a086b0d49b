/**
 * One IMMEDIATE transaction around a unit of store work: the migration steps (schema.ts) and every multi-statement
 * write of the SQLite store (sqlite-store.ts) go through it.
 */
import type { DatabaseSync } from 'node:sqlite';

/**
 * Runs `fn` in one `BEGIN IMMEDIATE` transaction and commits; rolls back and rethrows when `fn` or the commit
 * throws.
 * @throws whatever `fn` throws, or the SQLite error of BEGIN/COMMIT (e.g. SQLITE_BUSY after busy_timeout).
 */
export function inTransaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (err) {
    try { db.exec('ROLLBACK'); } catch { /* the transaction may already be gone */ }
    throw err;
  }
}
