import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { Command } from '@commander-js/extra-typings';
import SQLite from 'better-sqlite3';
import { z } from 'zod';
import { APPLICANT_INDEX_KEY_FILE_NAME, CODEC_KEY_FILE_NAME } from '../workers/codec-keys';
import { loadConfig, type LoadedConfig } from '../workers/load-config';

// Backups of the embedded defaults: the register's SQLite file, the Temporal dev server's SQLite file and the local
// key files without which neither can be read (payloads are encrypted, the applicant index is keyed). SQLite files
// are copied with SQLite's online backup API, never with file I/O: in WAL mode the main file alone is not the database.

export const BACKUP_MANIFEST_FILE_NAME = 'manifest.json';
const MANIFEST_FORMAT = 'gongkai-backup/1';
const SESSION_SECRET_FILE_NAME = 'session-secret';
const OPERATIONS_DOC = 'docs/operations.md, section "Backups"';

/** What a backup may hold, by name inside the backup directory; a closed list, so a manifest cannot name other paths. */
const BACKUP_FILE_NAMES = ['register.sqlite', 'temporal/dev.sqlite', CODEC_KEY_FILE_NAME, APPLICANT_INDEX_KEY_FILE_NAME, SESSION_SECRET_FILE_NAME] as const;
type BackupFileName = (typeof BACKUP_FILE_NAMES)[number];

const backupManifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  createdAt: z.iso.datetime(),
  files: z
    .array(
      z.object({
        name: z.enum(BACKUP_FILE_NAMES),
        kind: z.enum(['sqlite', 'key']),
        bytes: z.number().int().nonnegative(),
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
      }),
    )
    .min(1),
});
export type BackupManifest = z.output<typeof backupManifestSchema>;

interface BackupSource {
  name: BackupFileName;
  kind: 'sqlite' | 'key';
  /** Where the file lives while gongkai runs (and where restore puts it back). */
  path: string;
}

/** The files of the embedded defaults and where they live under this configuration. */
function backupSources(config: LoadedConfig): BackupSource[] {
  return [
    { name: 'register.sqlite', kind: 'sqlite', path: config.database.sqliteFile },
    { name: 'temporal/dev.sqlite', kind: 'sqlite', path: devServerDatabasePath(config) },
    { name: CODEC_KEY_FILE_NAME, kind: 'key', path: join(config.dataDir, CODEC_KEY_FILE_NAME) },
    { name: APPLICANT_INDEX_KEY_FILE_NAME, kind: 'key', path: join(config.dataDir, APPLICANT_INDEX_KEY_FILE_NAME) },
    { name: SESSION_SECRET_FILE_NAME, kind: 'key', path: join(config.dataDir, SESSION_SECRET_FILE_NAME) },
  ];
}

/** The same place `gongkai start` (workers/start-local.ts) gives the dev server. */
function devServerDatabasePath(config: LoadedConfig): string {
  return join(config.dataDir, 'temporal', 'dev.sqlite');
}

/** Refuses a register on PostgreSQL: a backup without the register would not match the Temporal histories it holds. */
function refuseUnlessEmbedded(config: LoadedConfig, command: 'backup' | 'restore'): void {
  if (config.database.url) {
    throw new Error(
      `${command} covers the embedded SQLite register only, but the register is on PostgreSQL (DATABASE_URL); ` +
        `use pg_dump / pg_restore for it and your Temporal cluster's persistence backup, see ${OPERATIONS_DOC}`,
    );
  }
}

/** `20250102T030405Z`: sorts by time and is a valid file name everywhere. */
export function backupTimestamp(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

export interface BackupOptions {
  /** The directory under which the timestamped backup directory is made; default `<data dir>/backups`. */
  outDir?: string;
  now?: Date;
}

export interface BackupResult {
  directory: string;
  manifest: BackupManifest;
  /** Key files not found on disk, presumably set from the environment instead (GONGKAI_CODEC_KEYS, ...). */
  missingKeyFiles: string[];
}

/**
 * Takes a consistent snapshot of both SQLite files through SQLite's online backup API — safe while the stack runs,
 * since in WAL mode readers do not block writers — plus the key files, and writes `manifest.json` last, so a
 * directory with a manifest is a complete backup.
 */
export async function createBackup(config: LoadedConfig, options: BackupOptions = {}): Promise<BackupResult> {
  refuseUnlessEmbedded(config, 'backup');
  const now = options.now ?? new Date();
  const parent = resolve(options.outDir ?? join(config.dataDir, 'backups'));
  const directory = join(parent, backupTimestamp(now));
  mkdirSync(parent, { recursive: true });
  try {
    mkdirSync(directory, { mode: 0o700 }); // not recursive: never mix two backups in one directory
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(`backup directory ${directory} already exists`, { cause: err });
    throw err;
  }

  const files: BackupManifest['files'] = [];
  const missingKeyFiles: string[] = [];
  for (const source of backupSources(config)) {
    const target = join(directory, source.name);
    mkdirSync(dirname(target), { recursive: true });
    if (source.kind === 'sqlite') {
      if (!existsSync(source.path)) {
        throw new Error(`${source.name}: no database at ${source.path}; has gongkai been started with this data directory (GONGKAI_DATA_DIR)?`);
      }
      await snapshotSqlite(source.path, target, source.name);
    } else {
      if (!existsSync(source.path)) {
        missingKeyFiles.push(source.name);
        continue;
      }
      copyFileSync(source.path, target);
    }
    files.push({ name: source.name, kind: source.kind, ...digestOf(target) });
  }
  const manifest: BackupManifest = { format: MANIFEST_FORMAT, createdAt: now.toISOString(), files };
  writeFileSync(join(directory, BACKUP_MANIFEST_FILE_NAME), JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 });
  return { directory, manifest, missingKeyFiles };
}

/**
 * One backup step for all pages: the copy is made inside a single read transaction, so it is the database as of
 * one commit. (Stepping a few pages at a time would restart whenever the running server writes in between.)
 */
async function snapshotSqlite(sourcePath: string, targetPath: string, name: string): Promise<void> {
  const source = new SQLite(sourcePath, { readonly: true, fileMustExist: true, timeout: 10_000 });
  try {
    await source.backup(targetPath, { progress: () => 0x7fffffff });
  } finally {
    source.close();
  }
  // The copy inherits WAL mode; rollback-journal mode folds everything into the one file the manifest checksums
  // and leaves no -wal/-shm behind. The stack switches it back to WAL when it opens the restored file.
  const copy = new SQLite(targetPath, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE');
    const check = copy.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(`${name}: the snapshot fails SQLite's quick_check`);
  } finally {
    copy.close();
  }
}

function digestOf(path: string): { bytes: number; sha256: string } {
  const content = readFileSync(path);
  return { bytes: content.length, sha256: createHash('sha256').update(content).digest('hex') };
}

/** Reads a backup's manifest and checks every file against it; throws naming the first file that does not match. */
export function verifyBackup(directory: string): BackupManifest {
  const manifestPath = join(directory, BACKUP_MANIFEST_FILE_NAME);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`${manifestPath}: ${code === 'ENOENT' ? 'not found; not a gongkai backup (or an incomplete one)' : 'not valid JSON'}`, { cause: err });
  }
  const parsed = backupManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${manifestPath}: not a gongkai backup manifest (${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'})`);
  }
  const manifest = parsed.data;
  // Both databases or nothing: a register without the histories it indexes (or the reverse) is not a restore.
  for (const name of ['register.sqlite', 'temporal/dev.sqlite'] as const) {
    if (!manifest.files.some((f) => f.name === name && f.kind === 'sqlite')) throw new Error(`${manifestPath}: ${name} is missing from the manifest`);
  }
  for (const file of manifest.files) {
    const path = join(directory, file.name);
    if (!existsSync(path)) throw new Error(`${file.name}: listed in the manifest but missing from ${directory}`);
    const actual = digestOf(path);
    if (actual.bytes !== file.bytes || actual.sha256 !== file.sha256) {
      throw new Error(`${file.name}: does not match the manifest (size or SHA-256 differs); the backup is damaged or was altered`);
    }
  }
  return manifest;
}

/** A connection attempt; true if something accepts on `address` (host:port). */
async function portAnswers(address: string, timeoutMs = 1_000): Promise<boolean> {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(at + 1));
  return new Promise((done) => {
    const socket = connect({ host, port });
    const finish = (answered: boolean): void => {
      socket.destroy();
      done(answered);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

export interface RestoreOptions {
  now?: Date;
}

export interface RestoredFile {
  name: string;
  path: string;
  /** Where the file it replaced (and its -wal/-shm) went; none if there was none. */
  movedAside: string[];
}

/**
 * Puts a verified backup back in place. Refuses while the Temporal dev server's port answers: the running server and
 * register hold the SQLite files open (with their WAL), and would go on writing into the files being replaced.
 */
export async function restoreBackup(config: LoadedConfig, directory: string, options: RestoreOptions = {}): Promise<RestoredFile[]> {
  refuseUnlessEmbedded(config, 'restore');
  const backupDir = resolve(directory);
  if (await portAnswers(config.temporal.address)) {
    throw new Error(
      `the Temporal dev server answers at ${config.temporal.address} (TEMPORAL_ADDRESS), so gongkai is running and holds the ` +
        'database files open; stop it (Ctrl-C on gongkai start, and any gongkai worker / web on this data directory) before restoring',
    );
  }
  const manifest = verifyBackup(backupDir);
  const suffix = `.before-restore-${backupTimestamp(options.now ?? new Date())}`;
  const sources = new Map(backupSources(config).map((s) => [s.name, s]));
  const restored: RestoredFile[] = [];
  for (const file of manifest.files) {
    const target = sources.get(file.name)!.path;
    mkdirSync(dirname(target), { recursive: true });
    // A leftover -wal next to a restored file would be replayed into it: move the whole set aside, never delete.
    const companions = file.kind === 'sqlite' ? [target, `${target}-wal`, `${target}-shm`, `${target}-journal`] : [target];
    const movedAside: string[] = [];
    for (const path of companions) {
      if (!existsSync(path)) continue;
      renameSync(path, path + suffix);
      movedAside.push(path + suffix);
    }
    // Copy next to the target, then rename: the target is either absent or complete.
    const partial = `${target}.restoring`;
    copyFileSync(join(backupDir, file.name), partial);
    if (file.kind === 'key') writeFileSync(partial, readFileSync(partial), { mode: 0o600 });
    renameSync(partial, target);
    if (statSync(target).size !== file.bytes) throw new Error(`${file.name}: restored copy at ${target} has the wrong size`);
    restored.push({ name: file.name, path: target, movedAside });
  }
  return restored;
}

export const backupCommand = new Command('backup')
  .description(
    'snapshot the register and the dev server\'s SQLite files (safe while gongkai runs) and the local key files into ' +
      '<out>/<UTC timestamp>/ with a manifest.json; prints the directory',
  )
  .option('--out <dir>', 'directory under which the timestamped backup is made (default: <data dir>/backups)')
  .action(async (opts) => {
    const result = await createBackup(loadConfig(), opts.out === undefined ? {} : { outDir: opts.out });
    for (const name of result.missingKeyFiles) {
      console.error(`note: ${name} not found in the data directory (set from the environment?); keep that secret with the backup yourself`);
    }
    console.log(result.directory);
  });

export const restoreCommand = new Command('restore')
  .description(
    'put a backup made by `gongkai backup` back in place, after checking its checksums; refuses while gongkai runs. ' +
      'Replaced files are kept as <name>.before-restore-<timestamp>',
  )
  .argument('<dir>', 'the backup directory (the one holding manifest.json)')
  .action(async (dir) => {
    for (const file of await restoreBackup(loadConfig(), dir)) {
      console.log(`restored ${file.name} -> ${file.path}`);
      for (const aside of file.movedAside) console.log(`  previous file kept as ${aside}`);
    }
  });
