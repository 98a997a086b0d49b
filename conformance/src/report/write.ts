// Writes report.json, junit.xml and report.html of a run into a directory.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunReport } from '../runner.ts';
import { renderHtml } from './html.ts';
import { renderJunit } from './junit.ts';

/** Writes the three report files into `dir` (created if missing); returns their paths. @throws Node fs errors. */
export function writeReports(report: RunReport, dir: string): { json: string; junit: string; html: string } {
  mkdirSync(dir, { recursive: true });
  const paths = { json: join(dir, 'report.json'), junit: join(dir, 'junit.xml'), html: join(dir, 'report.html') };
  writeFileSync(paths.json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(paths.junit, renderJunit(report));
  writeFileSync(paths.html, renderHtml(report));
  return paths;
}
