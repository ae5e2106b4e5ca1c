import { appendFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../workers/config';
import { gongkai, type StackEnv, type StartedStack, startStack, stopWithCtrlC, temporalCli } from '../helpers/local-stack';
import { freePort } from '../helpers/ports';

// `gongkai backup` while `gongkai start` runs, then `gongkai restore` onto a data directory that lost both databases.
const example = JSON.parse(readFileSync(join(PROJECT_ROOT, 'examples', 'application-in-person.json'), 'utf8'));
let files: string;
let stack: StackEnv;
let running: StartedStack | undefined;

function submissionFile(submissionId: string): string {
  const path = join(files, `${submissionId}.json`);
  writeFileSync(path, JSON.stringify({ submissionId, application: example.application }));
  return path;
}

async function submit(submissionId: string): Promise<string> {
  const result = await gongkai(stack, 'submit', submissionFile(submissionId), '--as', 'zrzy.registrar');
  expect(result).toMatchObject({ code: 0 });
  return result.stdout.trim();
}

/** Visibility is eventually consistent: run `list` until `expected` holds. */
async function listUntil(expected: (stdout: string) => boolean): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { stdout } = await gongkai(stack, 'list');
    if (expected(stdout) || Date.now() > deadline) return stdout;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

function deleteDatabases(): void {
  for (const dir of [stack.dataDir, join(stack.dataDir, 'temporal')]) {
    for (const name of readdirSync(dir)) {
      if (/^(register|dev)\.sqlite(-wal|-shm)?$/.test(name)) rmSync(join(dir, name));
    }
  }
}

beforeAll(async () => {
  files = mkdtempSync(join(tmpdir(), 'gongkai-backup-'));
  stack = { dataDir: join(files, 'data'), address: `127.0.0.1:${await freePort()}` };
});

afterAll(async () => {
  if (running) await stopWithCtrlC(running);
  rmSync(files, { recursive: true, force: true });
}, 60_000);

test('a backup taken while running restores every case after both databases are lost', async () => {
  running = await startStack(stack);
  const first = await submit('backup-test-0001');
  const second = await submit('backup-test-0002');
  expect(first).not.toBe(second);

  const backup = await gongkai(stack, 'backup', '--out', join(files, 'backups'));
  expect(backup).toMatchObject({ code: 0 });
  const backupDir = backup.stdout.trim();
  expect(backupDir).toMatch(/backups\/\d{8}T\d{6}Z$/);
  const manifest = JSON.parse(readFileSync(join(backupDir, 'manifest.json'), 'utf8'));
  expect(manifest.files.map((f: { name: string }) => f.name).sort()).toEqual(
    ['applicant-index.key', 'codec-keys.json', 'register.sqlite', 'session-secret', 'temporal/dev.sqlite'],
  );
  // Self-contained snapshots: nothing of the databases lives outside the files the manifest checksums.
  expect(readdirSync(join(backupDir, 'temporal'))).toEqual(['dev.sqlite']);
  expect(readdirSync(backupDir).filter((name) => name.includes('-wal') || name.includes('-shm'))).toEqual([]);
  // A case submitted after the snapshot must be gone after the restore: the restore is the snapshot, not leftovers.
  const afterBackup = await submit('backup-test-0003');

  const whileRunning = await gongkai(stack, 'restore', backupDir);
  expect(whileRunning.code).not.toBe(0);
  expect(whileRunning.stderr).toContain(`Temporal dev server answers at ${stack.address}`);

  expect(await stopWithCtrlC(running)).toBe(0);
  running = undefined;
  deleteDatabases();

  const tampered = join(files, 'tampered');
  cpSync(backupDir, tampered, { recursive: true });
  appendFileSync(join(tampered, 'temporal', 'dev.sqlite'), 'x');
  const refused = await gongkai(stack, 'restore', tampered);
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toContain('temporal/dev.sqlite: does not match the manifest');
  expect(existsSync(join(stack.dataDir, 'register.sqlite'))).toBe(false); // refused before touching anything

  const restore = await gongkai(stack, 'restore', backupDir);
  expect(restore).toMatchObject({ code: 0 });
  expect(restore.stdout).toContain('restored register.sqlite');
  expect(restore.stdout).toContain('restored temporal/dev.sqlite');
  // The key files were still there: kept beside the restored ones, not overwritten.
  expect(readdirSync(stack.dataDir).some((name) => /^codec-keys\.json\.before-restore-\d{8}T\d{6}Z$/.test(name))).toBe(true);

  running = await startStack(stack);
  for (const caseNumber of [first, second]) {
    const shown = await gongkai(stack, 'show', caseNumber, '--json');
    expect(shown).toMatchObject({ code: 0 });
    expect(JSON.parse(shown.stdout)).toMatchObject({ caseNumber, stage: 'registered' });
    // `show` falls back to the register; the workflow itself must be back in Temporal too.
    expect(await temporalCli(stack, 'workflow', 'describe', '--workflow-id', caseNumber, '--output', 'json')).toContain('WORKFLOW_EXECUTION_STATUS_RUNNING');
  }
  const listed = await listUntil((out) => out.includes(first) && out.includes(second));
  expect(listed).toContain(first);
  expect(listed).toContain(second);
  expect(listed).not.toContain(afterBackup);
  expect((await gongkai(stack, 'show', afterBackup)).code).not.toBe(0);
}, 300_000);
