/**
 * Audit log export (SPEC TSK-20): every envelope of a relay's SQLite store as JSON Lines
 * `{"seq","accepted_at","env"}` in ascending `seq`. The store is opened read-only and read in one statement,
 * i.e. one consistent snapshot, row by row (never all rows in memory); with the store's WAL journal this works
 * while a relay runs on the same data directory, and on a stopped one.
 */
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Writable } from 'node:stream';
import { BatonError } from '@baton/spec';
import { formatLogLine } from './log-line.ts';

/** The store file inside a relay data directory (as `startRelay` creates it). */
export const STORE_FILE = 'baton.sqlite';

/** Bytes gathered before a write to the output stream. */
const CHUNK_CHARS = 64 * 1024;

/** What an export wrote. */
export interface ExportSummary {
  /** Lines (envelopes) written. */
  readonly envelopes: number;
  /** Lowest and highest `seq` written; absent when the store holds no envelope. */
  readonly firstSeq?: number;
  readonly lastSeq?: number;
}

interface Row {
  seq: number | bigint;
  accepted_at: number | bigint;
  json: string;
}

/**
 * Writes the audit log of the relay store in `dataDir` to `out` (which is not ended), honouring its
 * back-pressure.
 * @throws BatonError `NOT_FOUND` when `dataDir` holds no store file, or the SQLite error when it cannot be read; the error of
 *   `out` when writing fails.
 */
export async function exportLog(dataDir: string, out: Writable): Promise<ExportSummary> {
  const file = join(dataDir, STORE_FILE);
  if (!existsSync(file)) throw new BatonError('NOT_FOUND', `no relay store at ${file}`);
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    db.exec('PRAGMA busy_timeout = 5000');
    const rows = db.prepare('SELECT seq, accepted_at, json FROM envelopes ORDER BY seq').iterate() as Iterator<Row>;
    let envelopes = 0;
    let firstSeq: number | undefined;
    let lastSeq: number | undefined;
    let chunk = '';
    const flush = async (): Promise<void> => {
      const text = chunk;
      chunk = '';
      if (!out.write(text)) await once(out, 'drain');
    };
    for (let r = rows.next(); r.done !== true; r = rows.next()) {
      const seq = Number(r.value.seq);
      chunk += `${formatLogLine(seq, Number(r.value.accepted_at), r.value.json)}\n`;
      envelopes += 1;
      firstSeq ??= seq;
      lastSeq = seq;
      if (chunk.length >= CHUNK_CHARS) await flush();
    }
    if (chunk.length > 0) await flush();
    return { envelopes, ...(firstSeq === undefined ? {} : { firstSeq }), ...(lastSeq === undefined ? {} : { lastSeq }) };
  } finally {
    db.close();
  }
}
