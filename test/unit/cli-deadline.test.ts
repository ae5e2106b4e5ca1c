import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../workers/config';

const run = promisify(execFile);
const gongkai = (...args: string[]) => run(process.execPath, [join(PROJECT_ROOT, 'bin', 'gongkai.js'), ...args]);

async function failure(...args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await gongkai(...args);
  } catch (err) {
    const { code, stderr } = err as { code: number; stderr: string };
    return { code, stderr };
  }
  throw new Error('expected the command to fail');
}

test('deadline --json prints the three deadlines, the provisional flag and the explanation', async () => {
  const { stdout } = await gongkai('deadline', '--received', '2025-09-25', '--json');
  const result = JSON.parse(stdout);
  expect(result).toMatchObject({
    correctionNoticeDue: '2025-10-11',
    replyDue: '2025-10-29',
    replyDueExtended: '2025-11-26',
    provisional: false,
  });
  expect(result.explanation.length).toBeGreaterThan(2);
}, 30_000);

test('deadline with a correction and a pause, in a provisional year', async () => {
  const { stdout } = await gongkai('deadline', '--received', '2026-11-20', '--corrected', '2026-11-27', '--pause', '2026-12-01:2026-12-04', '--json');
  // corrected 11-27 (Fri); 11-30 = 1; paused 12-01..12-04; 12-07 = 2 ... 12-31 = 20; day 40 falls in 2027 (not loaded)
  expect(JSON.parse(stdout)).toMatchObject({ replyDue: '2026-12-31', replyDueExtended: '2027-01-28', provisional: true, provisionalYears: [2027] });
  const text = (await gongkai('deadline', '--received', '2026-12-10')).stdout;
  expect(text).toContain('答复期限     reply        2027-01-07（周四）（临时 provisional）');
  expect(text).toContain('临时结果 provisional: 2027');
}, 30_000);

test.each([
  [['deadline'], "required option '--received <date>'"],
  [['deadline', '--received', '2026-02-30'], "option '--received <date>' argument '2026-02-30' is invalid"],
  [['deadline', '--received', '2026-02-10', '--pause', '2026-03-05:2026-03-01'], "option '--pause <from:to>'"],
  [['deadline', '--received', '2026-02-10', '--corrected', '2026-02-01'], "option '--corrected <date>'"],
])('bad arguments %j exit non-zero naming the argument', async (args, message) => {
  const { code, stderr } = await failure(...args);
  expect(code).not.toBe(0);
  expect(stderr).toContain(message);
}, 30_000);
