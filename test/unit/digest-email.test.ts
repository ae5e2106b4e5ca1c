import { ScheduleOverlapPolicy } from '@temporalio/client';
import { digestEmailKey } from '../../activities/digest';
import { gongkaiConfigSchema } from '../../domain/gongkai-config';
import { InvalidInputError } from '../../domain/validation';
import { type DigestCase, digestEmailOf, digestEmailSchema, type DigestLists } from '../../templates/email/digest';
import { renderEmail } from '../../templates/render';
import { digestScheduleOptions } from '../../workers/digest-schedules';
import { loadConfig } from '../../workers/load-config';

/** The full-width space (U+3000) between a case's fields in the text digest. */
const GAP = '\u3000';
const publicUrl = 'http://127.0.0.1:3000';
const context = {
  agencyCode: 'LYG-ZRZY',
  agencyName: '连云港市自然资源和规划局',
  recipientName: '赵督办',
  day: '2027-03-08',
  dueWithinWorkingDays: 5,
  boardUrl: `${publicUrl}/board`,
  caseUrl: (caseNumber: string) => `${publicUrl}/cases/${caseNumber}`,
};
const row = (n: number, overrides: Partial<DigestCase> = {}): DigestCase => ({
  caseNumber: `LYG-ZRZY-2027-00000${n}`,
  stage: 'completeness-check',
  handler: 'zrzy.handler1',
  replyDue: '2027-03-05',
  ...overrides,
});
const lists: DigestLists = {
  overdue: [row(1), row(2, { stage: 'registered', handler: null, replyDue: '2027-03-01' })],
  dueSoon: [row(3, { stage: 'drafting', replyDue: '2027-03-10' }), row(4, { replyDue: '2027-03-12' }), row(5, { stage: 'search', replyDue: '2027-03-15' })],
  paused: [row(6, { stage: 'disclosure-decision', replyDue: null })],
};
const render = (l: DigestLists = lists, c = context) => renderEmail('digest', digestEmailSchema, digestEmailOf(l, c));

describe('the daily digest email', () => {
  test('the subject counts each list; the text lists every case with its stage, handler, reply deadline and link', () => {
    const email = render();
    expect(email.subject).toBe('【每日督办】LYG-ZRZY 2027-03-08：逾期2件，即将到期3件，暂停1件');
    expect(email.text).toContain('赵督办：');
    expect(email.text).toContain('连云港市自然资源和规划局（LYG-ZRZY）截至2027-03-08（周一），正在办理的政府信息公开申请中：');
    expect(email.text).toContain('一、已逾期（答复期限已过，尚未答复）：2件');
    expect(email.text).toContain('LYG-ZRZY-2027-000001　申请审查　承办人：zrzy.handler1　答复期限：2027-03-05（周五）\n  http://127.0.0.1:3000/cases/LYG-ZRZY-2027-000001');
    expect(email.text).toContain('LYG-ZRZY-2027-000002　已登记　承办人：未分派　答复期限：2027-03-01（周一）');
    expect(email.text).toContain('二、即将到期（5个工作日内到期）：3件');
    expect(email.text).toContain('LYG-ZRZY-2027-000003　拟稿　承办人：zrzy.handler1　答复期限：2027-03-10（周三）');
    expect(email.text).toContain('三、暂停计时（征求意见等期间不计入答复期限）：1件');
    expect(email.text).toContain('LYG-ZRZY-2027-000006　内容研判决定　承办人：zrzy.handler1　答复期限：计时暂停');
    expect(email.text).toContain('督办看板：http://127.0.0.1:3000/board');
    // Each case under its own heading, in the order given.
    const positions = [1, 2, 3, 4, 5, 6].map((n) => email.text.indexOf(`LYG-ZRZY-2027-00000${n}${GAP}`));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(email.text.indexOf('二、')).toBeGreaterThan(positions[1]!);
    expect(email.text.indexOf('三、')).toBeGreaterThan(positions[4]!);
    expect(email.html).toContain('<a href="http://127.0.0.1:3000/cases/LYG-ZRZY-2027-000006">LYG-ZRZY-2027-000006</a></td><td style="padding-right: 1em;">内容研判决定</td>');
    expect(email.html).toContain('<a href="http://127.0.0.1:3000/board">');
  });

  test('nothing to report is reported too (零报告): every list says 无', () => {
    const email = render({ overdue: [], dueSoon: [], paused: [] });
    expect(email.subject).toBe('【每日督办】LYG-ZRZY 2027-03-08：逾期0件，即将到期0件，暂停0件');
    expect(email.text.match(/（无）/g)).toHaveLength(3);
    expect(email.html.match(/（无）/g)).toHaveLength(3);
    expect(email.text).not.toContain('LYG-ZRZY-2027-');
  });

  test('an unknown stage is shown as it is; the due-soon horizon is the configured one', () => {
    const email = render({ ...lists, overdue: [row(1, { stage: 'some-future-stage' })] }, { ...context, dueWithinWorkingDays: 8 });
    expect(email.text).toContain('LYG-ZRZY-2027-000001　some-future-stage　');
    expect(email.text).toContain('二、即将到期（8个工作日内到期）');
  });

  test('HTML escapes what it is given; the text keeps it as written', () => {
    const email = render({ ...lists, overdue: [row(1, { stage: '<b>x</b>' })] }, { ...context, recipientName: '<script>alert(1)</script>' });
    expect(email.html).not.toContain('<script>');
    expect(email.html).not.toContain('<b>x</b>');
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(email.html).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(email.text).toContain('<script>alert(1)</script>：');
  });

  test('a missing or malformed field is an error naming it, never a blank in the email', () => {
    const withoutBoard: Partial<ReturnType<typeof digestEmailOf>> = digestEmailOf(lists, context);
    delete withoutBoard.boardUrl;
    expect(() => renderEmail('digest', digestEmailSchema, withoutBoard as never)).toThrow(InvalidInputError);
    expect(() => renderEmail('digest', digestEmailSchema, withoutBoard as never)).toThrow(/boardUrl/);
    const email = digestEmailOf(lists, context);
    expect(() => renderEmail('digest', digestEmailSchema, { ...email, day: '2027-02-30' })).toThrow(/day/);
    const badRow = { ...email, paused: [{ ...email.paused[0]!, caseUrl: 'not a url' }] };
    expect(() => renderEmail('digest', digestEmailSchema, badRow)).toThrow(/paused\.0\.caseUrl/);
  });
});

describe('the digest settings and schedule', () => {
  const config = loadConfig();

  test('default: 09:00 Beijing time, due soon within 5 working days; a bad time is refused by its field', () => {
    expect(config.digest).toEqual({ at: '09:00', dueWithinWorkingDays: 5 });
    const file = { agencies: config.agencies, users: [] };
    const misspelt = gongkaiConfigSchema.safeParse({ ...file, digest: { sendAt: '09:00' } });
    expect(misspelt.error!.issues).toEqual([expect.objectContaining({ code: 'unrecognized_keys', keys: ['sendAt'], path: ['digest'] })]);
    const invalid = gongkaiConfigSchema.safeParse({ ...file, digest: { at: '9:00', dueWithinWorkingDays: 0 } });
    expect(invalid.error!.issues.map((issue) => issue.path.join('.')).sort()).toEqual(['digest.at', 'digest.dueWithinWorkingDays']);
    expect(gongkaiConfigSchema.parse({ ...file, digest: { at: '17:45' } }).digest).toEqual({ at: '17:45', dueWithinWorkingDays: 5 });
  });

  test('one schedule per agency: daily at the configured time in Asia/Shanghai, overlapping runs skipped', () => {
    const options = digestScheduleOptions({ ...config, digest: { at: '17:45', dueWithinWorkingDays: 3 } }, 'LYG-ZRZY');
    expect(options.scheduleId).toBe('gongkai-digest-LYG-ZRZY');
    expect(options.spec).toMatchObject({ calendars: [{ hour: 17, minute: 45 }], timezone: 'Asia/Shanghai' });
    expect(options.policies).toMatchObject({ overlap: ScheduleOverlapPolicy.SKIP });
    expect(options.action).toMatchObject({ workflowType: 'dailyDigestWorkflow', taskQueue: config.temporal.taskQueue, args: [{ agencyCode: 'LYG-ZRZY', dueWithinWorkingDays: 3 }] });
  });

  test('the ledger key is one per agency, Beijing day and supervisor', () => {
    expect(digestEmailKey('LYG-ZRZY', '2027-03-08', 'supervisor')).toBe('digest:LYG-ZRZY:2027-03-08:supervisor');
  });
});
