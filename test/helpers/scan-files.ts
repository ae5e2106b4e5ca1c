import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Names of the files under `dir` (recursively) whose bytes contain `needle` as UTF-8. */
export function filesContaining(dir: string, needle: string): string[] {
  const bytes = Buffer.from(needle, 'utf8');
  const hits: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if (readFileSync(path).includes(bytes)) hits.push(path);
  }
  return hits;
}
