import { withoutAddresses } from '../../activities/email';
import { casePageUrl, gongkaiConfigSchema, webSettingsSchema } from '../../domain/gongkai-config';
import { reminderRecipients, type ScheduledReminder } from '../../domain/reminders';
import { InvalidInputError } from '../../domain/validation';
import { reminderEmailOf, reminderEmailSchema } from '../../templates/email/reminder';
import { renderEmail } from '../../templates/render';
import { loadConfig } from '../../workers/load-config';

const config = loadConfig();
const reminder = (overrides: Partial<ScheduledReminder> = {}): ScheduledReminder => ({
  kind: 'overdue',
  deadlineKind: 'reply',
  due: '2027-03-05',
  day: '2027-03-10',
  workingDays: 3,
  recipients: ['handler', 'supervisor', 'gip-office-head'],
  provisional: false,
  explanation: '答复期限 2027-03-05（周五）：收到申请之日后第20个工作日。',
  ...overrides,
});
const context = { caseNumber: 'LYG-ZRZY-2027-000001', agencyName: '连云港市自然资源和规划局', recipientName: '李四', caseUrl: 'http://127.0.0.1:3000/cases/LYG-ZRZY-2027-000001' };

describe('the reminder email', () => {
  test('subject, text and HTML say what is due, by when, how the deadline was computed, and link to the case', () => {
    const email = renderEmail('reminder', reminderEmailSchema, reminderEmailOf(reminder(), context));
    expect(email.subject).toBe('【逾期督办】LYG-ZRZY-2027-000001 答复申请人：已逾期3个工作日');
    expect(email.text).toContain('李四：');
    expect(email.text).toContain('连云港市自然资源和规划局办理的政府信息公开申请 LYG-ZRZY-2027-000001，答复申请人的期限已逾期3个工作日。');
    expect(email.text).toContain('期限：2027-03-05（周五）');
    expect(email.text).toContain('期限说明：答复期限 2027-03-05（周五）：收到申请之日后第20个工作日。');
    expect(email.text).toContain('办理页面：http://127.0.0.1:3000/cases/LYG-ZRZY-2027-000001');
    expect(email.text).not.toContain('临时');
    expect(email.html).toContain('<a href="http://127.0.0.1:3000/cases/LYG-ZRZY-2027-000001">');
  });

  test('before the due day, on it, and for each kind of deadline', () => {
    const subjectOf = (r: ScheduledReminder) => renderEmail('reminder', reminderEmailSchema, reminderEmailOf(r, context)).subject;
    expect(subjectOf(reminder({ kind: 'before-due', workingDays: 5 }))).toBe('【提醒】LYG-ZRZY-2027-000001 答复申请人：还有5个工作日到期');
    expect(subjectOf(reminder({ kind: 'due-day', workingDays: 0 }))).toBe('【今日到期】LYG-ZRZY-2027-000001 答复申请人：今天到期');
    expect(subjectOf(reminder({ kind: 'before-due', workingDays: 1, deadlineKind: 'fee-payment' }))).toContain('申请人缴纳信息处理费');
    expect(subjectOf(reminder({ deadlineKind: 'correction-notice' }))).toContain('一次性告知申请人补正');
    expect(subjectOf(reminder({ deadlineKind: 'consultation-answer', deadlineRef: 'tp-1' }))).toContain('被征求意见方提出意见');
  });

  test('a provisional deadline says so, in the subject and the body', () => {
    const email = renderEmail('reminder', reminderEmailSchema, reminderEmailOf(reminder({ provisional: true }), context));
    expect(email.subject).toBe('【逾期督办】LYG-ZRZY-2027-000001 答复申请人：已逾期3个工作日（临时期限）');
    expect(email.text).toContain('此期限为临时期限');
    expect(email.html).toContain('此期限为临时期限');
  });

  test('HTML escapes what it is given; the text keeps it as written', () => {
    const email = renderEmail('reminder', reminderEmailSchema, reminderEmailOf(reminder(), { ...context, recipientName: '<script>alert(1)</script>' }));
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&lt;script&gt;');
    expect(email.text).toContain('<script>alert(1)</script>：');
  });

  test('a missing or malformed field is an error naming it, never a blank in the email', () => {
    const withoutUrl: Partial<ReturnType<typeof reminderEmailOf>> = reminderEmailOf(reminder(), context);
    delete withoutUrl.caseUrl;
    expect(() => renderEmail('reminder', reminderEmailSchema, withoutUrl as never)).toThrow(InvalidInputError);
    expect(() => renderEmail('reminder', reminderEmailSchema, withoutUrl as never)).toThrow(/caseUrl/);
    expect(() => renderEmail('reminder', reminderEmailSchema, { ...reminderEmailOf(reminder(), context), sentFor: '2027-02-30' })).toThrow(/sentFor/);
  });
});

describe('who a reminder reaches', () => {
  const ids = (role: Parameters<typeof reminderRecipients>[2], handlerId: string | null, agency = 'LYG-ZRZY') =>
    reminderRecipients(config, agency, role, handlerId).map((person) => person.id);

  test('the assigned handler; before assignment, the office heads who assign', () => {
    expect(ids('handler', 'zrzy.handler2')).toEqual(['zrzy.handler2']);
    expect(ids('handler', null)).toEqual(['zrzy.head']);
  });

  test('a role reaches its holders in the agency, and supervisors with all-agencies scope', () => {
    expect(ids('gip-office-head', null)).toEqual(['zrzy.head']);
    expect(ids('gip-office-head', null, 'LYG-SHJ')).toEqual(['shj.head']);
    expect(ids('supervisor', null, 'LYG-SHJ')).toEqual(['supervisor']);
    expect(ids('reviewer', null)).toEqual(['zrzy.reviewer']);
  });

  test('with email addresses and names from the configuration', () => {
    expect(reminderRecipients(config, 'LYG-ZRZY', 'supervisor', null)).toEqual([{ id: 'supervisor', name: expect.any(String), email: 'supervisor@lyg.example.cn' }]);
  });
});

describe('the link to the case page', () => {
  test('from the configured public URL, without a doubled slash', () => {
    expect(casePageUrl(webSettingsSchema.parse({ publicUrl: 'https://gongkai.lyg.gov.cn/' }), 'LYG-ZRZY-2027-000001')).toBe('https://gongkai.lyg.gov.cn/cases/LYG-ZRZY-2027-000001');
    expect(casePageUrl(webSettingsSchema.parse({}), 'X-1')).toBe('http://127.0.0.1:3000/cases/X-1');
  });

  test('a public URL that is not http(s) is refused, naming the field', () => {
    const result = gongkaiConfigSchema.safeParse({ agencies: [], web: { publicUrl: 'ftp://example.cn' } });
    expect(result.success).toBe(false);
    expect(result.error!.issues.some((issue) => issue.path.join('.') === 'web.publicUrl')).toBe(true);
  });
});

describe('SMTP errors without addresses', () => {
  test('every address in an SMTP reply is replaced, the rest kept', () => {
    expect(withoutAddresses("Can't send mail - all recipients were rejected: 550 5.1.1 <zhangsan@example.com>: Recipient address rejected")).toBe(
      "Can't send mail - all recipients were rejected: 550 5.1.1 <<address>>: Recipient address rejected",
    );
    expect(withoutAddresses('451 try again later')).toBe('451 try again later');
  });
});
