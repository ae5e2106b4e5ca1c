import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_REMINDER_POLICY,
  documentNumberFormatSchema,
  documentNumberSeries,
  gongkaiConfigSchema,
} from '../../domain/gongkai-config';
import { formatDocumentNumber } from '../../domain/numbering';
import { bilingualIssueMessage, InvalidInputError, parseOrThrow } from '../../domain/validation';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../../workers/load-config';
import { verifyPassword } from '../../workers/passwords';

const HASH = 'scrypt$16384$8$1$AAECAwQFBgcICQoLDA0ODw==$pC5ruoWYn37lMVl3VVP6dcCdV5eHVurwgvkog6Ju2vk=';
const PROJECT_ROOT = join(__dirname, '..', '..');
const tempDir = (): string => mkdtempSync(join(tmpdir(), 'gongkai-config-'));

type Json = Record<string, unknown>;

/** A small valid configuration: one staffed agency, one without staff, a supervisor. */
function baseConfig(): Json {
  const user = (id: string, roles: string[], extra: Json = {}) => ({
    id,
    name: '演示用户',
    email: `${id}@lyg.example.cn`,
    roles,
    agencyCode: 'LYG-ZFB',
    passwordHash: HASH,
    ...extra,
  });
  return {
    agencies: [
      {
        code: 'LYG-ZFB',
        name: '连云港市人民政府办公室',
        documentNumberFormats: { default: '连政办依复〔{year}〕{seq}号', 'extension-notice': '连政办依延〔{year}〕{seq}号' },
        remedy: { reviewBodies: ['连云港市人民政府'], court: '连云港市连云区人民法院' },
      },
      {
        code: 'LYG-SHJ',
        name: '连云港市生态环境局',
        documentNumberFormats: { default: '连环依复〔{year}〕{seq}号' },
        remedy: { reviewBodies: ['连云港市人民政府'], court: '连云港市连云区人民法院' },
      },
    ],
    users: [
      user('zfb.registrar', ['registrar']),
      user('zfb.handler', ['handler']),
      user('zfb.reviewer', ['reviewer']),
      user('zfb.head', ['gip-office-head']),
      user('supervisor', ['supervisor'], { scope: 'all-agencies' }),
    ],
  };
}

/** Sets (or, with undefined, deletes) the value at a dotted path such as `users.1.roles`. */
function setPath(target: Json, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop()!;
  let node: Json = target;
  for (const key of keys) node = node[key] as Json;
  if (value === undefined) delete node[last];
  else node[last] = value;
}

function withChanges(changes: ReadonlyArray<readonly [string, unknown]>): Json {
  const config = baseConfig();
  for (const [path, value] of changes) setPath(config, path, value);
  return config;
}

function refusal(input: unknown): InvalidInputError {
  try {
    parseOrThrow(gongkaiConfigSchema, input, 'Configuration', { issueMessage: bilingualIssueMessage });
  } catch (err) {
    if (err instanceof InvalidInputError) return err;
    throw err;
  }
  throw new Error('expected the configuration to be refused');
}

const refusedFields = (input: unknown): string[] => refusal(input).problems.map((problem) => problem.field);

function loadRefusal(load: () => unknown): InvalidInputError {
  try {
    load();
  } catch (err) {
    if (err instanceof InvalidInputError) return err;
    throw err;
  }
  throw new Error('expected loading to fail');
}

function writeConfig(config: unknown): string {
  const path = join(tempDir(), 'gongkai.json');
  writeFileSync(path, typeof config === 'string' ? config : JSON.stringify(config));
  return path;
}

describe('the demo configuration (config/demo.json)', () => {
  const config = loadConfig({ env: { GONGKAI_DATA_DIR: tempDir() } });

  test('loads from the default path: three Lianyungang agencies', () => {
    expect(config.configPath).toBe(join(PROJECT_ROOT, 'config', 'demo.json'));
    expect(config.agencies.map((agency) => [agency.code, agency.name])).toEqual([
      ['LYG-ZFB', '连云港市人民政府办公室'],
      ['LYG-ZRZY', '连云港市自然资源和规划局'],
      ['LYG-SHJ', '连云港市生态环境局'],
    ]);
    for (const agency of config.agencies) {
      expect(agency.remedy.reviewBodies).toEqual(['连云港市人民政府']);
      expect(agency.feeRuleEnabled).toBe(false);
    }
  });

  test('staffs each agency with a registrar, two handlers, a reviewer and a GIP office head', () => {
    for (const code of ['LYG-ZFB', 'LYG-ZRZY', 'LYG-SHJ']) {
      const roles = config.users
        .filter((user) => user.agencyCode === code)
        .filter((user) => !user.roles.some((role) => role === 'admin' || role === 'supervisor'))
        .map((user) => user.roles.join('+'))
        .sort();
      expect(roles).toEqual(['gip-office-head', 'handler', 'handler', 'registrar', 'reviewer']);
    }
    const supervisors = config.users.filter((user) => user.roles.includes('supervisor'));
    expect(supervisors.map((user) => user.scope)).toEqual(['all-agencies']);
    expect(config.users.filter((user) => user.roles.includes('admin'))).toHaveLength(1);
    expect(config.users).toHaveLength(17);
    for (const user of config.users) expect(user.email).toMatch(/@lyg\.example\.cn$/);
  });

  test('every demo user signs in with the documented password gongkai-demo', async () => {
    const results = await Promise.all(config.users.map((user) => verifyPassword('gongkai-demo', user.passwordHash)));
    expect(results.every(Boolean)).toBe(true);
    expect(new Set(config.users.map((user) => user.passwordHash)).size).toBe(17);
  }, 60_000);

  test('applies the defaults: reminders, local mail capture, embedded Temporal, SQLite in the data directory', () => {
    expect(config.agencies[1]!.reminders).toEqual({
      sendAt: '08:30',
      beforeDue: [
        { workingDaysBefore: 5, recipients: ['handler'] },
        { workingDaysBefore: 1, recipients: ['handler'] },
        { workingDaysBefore: 0, recipients: ['handler'] },
      ],
      overdue: [
        { fromWorkingDaysOverdue: 1, recipients: ['handler', 'supervisor'] },
        { fromWorkingDaysOverdue: 3, recipients: ['gip-office-head'] },
      ],
    });
    expect(config.agencies[0]!.reminders).toEqual(config.agencies[1]!.reminders);
    expect(config.agencies[0]!.clockRules.replyWorkingDays).toBe(20);
    expect(config.agencies[0]!.permissionRules.signOffRoles).toEqual(['gip-office-head']);
    expect(config.smtp).toEqual({
      host: '127.0.0.1',
      port: 2525,
      secure: false,
      from: { name: '连云港市政府信息公开', address: 'gongkai@lyg.example.cn' },
    });
    expect(config.temporal).toEqual({ address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'gongkai', maxCachedWorkflows: 500 });
    expect(config.database.url).toBeUndefined();
    expect(config.database.sqliteFile).toBe(join(config.dataDir, 'register.sqlite'));
  });

  test('numbers documents per agency and type, e.g. 连政办依复〔2026〕7号', () => {
    const [zfb, zrzy] = config.agencies;
    const reply = documentNumberSeries(zfb!, 'not-held');
    expect(reply).toEqual({ series: 'default', format: '连政办依复〔{year}〕{seq}号' });
    expect(formatDocumentNumber(reply.format, 2026, 7)).toBe('连政办依复〔2026〕7号');
    const extension = documentNumberSeries(zrzy!, 'extension-notice');
    expect(extension.series).toBe('extension-notice');
    expect(formatDocumentNumber(extension.format, 2026, 12)).toBe('连资规依延〔2026〕12号');
  });
});

describe('the schema', () => {
  test('accepts the small base configuration and fills in the defaults', () => {
    const config = parseOrThrow(gongkaiConfigSchema, baseConfig(), 'Configuration');
    expect(config.agencies[0]!.reminders).toEqual(DEFAULT_REMINDER_POLICY);
    expect(config.users[0]!.scope).toBe('own-agency');
    expect(config.database).toEqual({ sqliteFile: 'data/register.sqlite' });
  });

  test('ignores keys starting with _ at any depth', () => {
    const config = withChanges([
      ['_comment', '演示'],
      ['agencies.0._note', { anything: 1 }],
      ['agencies.0.remedy._why', '行政复议法第二十四条'],
      ['users.0._comment', ['x']],
    ]);
    const parsed = parseOrThrow(gongkaiConfigSchema, config, 'Configuration');
    expect(Object.keys(parsed)).not.toContain('_comment');
    expect(Object.keys(parsed.agencies[0]!.remedy)).toEqual(['reviewBodies', 'court']);
  });

  test('takes per-agency overrides of the clock, outcome and permission rules and keeps the other defaults', () => {
    const config = withChanges([
      ['agencies.0.clockRules', { consultationPauseStartsOn: 'consultee-received' }],
      ['agencies.0.outcomeRules', { reportRows: { alreadyPublic: '三.3.8' } }],
      ['agencies.0.permissionRules', { separationOfDuties: { reviewerMaySignOff: true } }],
      ['agencies.0.feeRuleEnabled', true],
    ]);
    const [agency] = parseOrThrow(gongkaiConfigSchema, config, 'Configuration').agencies;
    expect(agency!.clockRules).toEqual({
      correctionNoticeWorkingDays: 7,
      replyWorkingDays: 20,
      maxExtensionWorkingDays: 20,
      consultationAnswerWorkingDays: 15,
      consultationPauseStartsOn: 'consultee-received',
      feeNoticePausesClock: true,
      referralPausesClock: false,
    });
    expect(agency!.outcomeRules.reportRows).toEqual({
      alreadyPublic: '三.3.8',
      specialAccessRegime: '三.3.8',
      notThisAgency: '三.4.1',
    });
    expect(agency!.permissionRules).toEqual({
      signOffRoles: ['gip-office-head'],
      separationOfDuties: { reviewerMaySignOff: true, drafterMayReview: false },
    });
    expect(agency!.feeRuleEnabled).toBe(true);
  });

  test.each<[string, Array<readonly [string, unknown]>, string]>([
    // Agencies
    ['an agency code in lower case', [['agencies.0.code', 'lyg-zfb']], 'agencies.0.code'],
    ['an agency code of 17 characters', [['agencies.0.code', 'LYG-ABCDEFGHIJKLM']], 'agencies.0.code'],
    ['two agencies with one code', [['agencies.1.code', 'LYG-ZFB']], 'agencies.1.code'],
    ['two agencies with one name', [['agencies.1.name', '连云港市人民政府办公室']], 'agencies.1.name'],
    ['no agency at all', [['agencies', []]], 'agencies'],
    [
      'a format without {seq}',
      [['agencies.0.documentNumberFormats.default', '连政办依复〔{year}〕号']],
      'agencies.0.documentNumberFormats.default',
    ],
    [
      'a format without {year}',
      [['agencies.0.documentNumberFormats.default', '连政办依复〔2026〕{seq}号']],
      'agencies.0.documentNumberFormats.default',
    ],
    [
      'a format with {seq} twice',
      [['agencies.0.documentNumberFormats.default', '连〔{year}〕{seq}号{seq}']],
      'agencies.0.documentNumberFormats.default',
    ],
    [
      'a format with another placeholder',
      [['agencies.0.documentNumberFormats.default', '连〔{year}〕{month}{seq}号']],
      'agencies.0.documentNumberFormats.default',
    ],
    [
      'a format with {seq} before {year}',
      [['agencies.0.documentNumberFormats.default', '连政办第{seq}号（{year}）']],
      'agencies.0.documentNumberFormats.default',
    ],
    [
      'a format with digits in its fixed text',
      [['agencies.0.documentNumberFormats.default', '连政办1〔{year}〕{seq}号']],
      'agencies.0.documentNumberFormats.default',
    ],
    [
      'a format with {year}{seq} adjacent',
      [['agencies.0.documentNumberFormats.default', '连政办{year}{seq}号']],
      'agencies.0.documentNumberFormats.default',
    ],
    [
      'no default format',
      [['agencies.0.documentNumberFormats.default', undefined]],
      'agencies.0.documentNumberFormats.default',
    ],
    [
      'an unknown document type',
      [['agencies.0.documentNumberFormats.reply-letter', '连政办答〔{year}〕{seq}号']],
      'agencies.0.documentNumberFormats.reply-letter',
    ],
    [
      'two document types of one agency with one format',
      [['agencies.0.documentNumberFormats.extension-notice', '连政办依复〔{year}〕{seq}号']],
      'agencies.0.documentNumberFormats.extension-notice',
    ],
    [
      'two agencies with one format',
      [['agencies.1.documentNumberFormats.default', '连政办依复〔{year}〕{seq}号']],
      'agencies.1.documentNumberFormats.default',
    ],
    ['a court that is no 人民法院', [['agencies.0.remedy.court', '连云港市人民政府']], 'agencies.0.remedy.court'],
    ['no review body', [['agencies.0.remedy.reviewBodies', []]], 'agencies.0.remedy.reviewBodies'],
    ['no remedy', [['agencies.0.remedy', undefined]], 'agencies.0.remedy'],
    [
      'a reminder time without leading zero',
      [['agencies.0.reminders', { sendAt: '8:30' }]],
      'agencies.0.reminders.sendAt',
    ],
    ['a reminder time of 24:00', [['agencies.0.reminders', { sendAt: '24:00' }]], 'agencies.0.reminders.sendAt'],
    [
      'a reminder to the admin',
      [['agencies.0.reminders', { beforeDue: [{ workingDaysBefore: 3, recipients: ['admin'] }] }]],
      'agencies.0.reminders.beforeDue.0.recipients.0',
    ],
    [
      'two reminders on one day',
      [
        [
          'agencies.0.reminders',
          {
            beforeDue: [
              { workingDaysBefore: 2, recipients: ['handler'] },
              { workingDaysBefore: 2, recipients: ['reviewer'] },
            ],
          },
        ],
      ],
      'agencies.0.reminders.beforeDue.1',
    ],
    [
      'an overdue reminder from day 0',
      [['agencies.0.reminders', { overdue: [{ fromWorkingDaysOverdue: 0, recipients: ['handler'] }] }]],
      'agencies.0.reminders.overdue.0.fromWorkingDaysOverdue',
    ],
    ['a fee rule given as text', [['agencies.0.feeRuleEnabled', 'yes']], 'agencies.0.feeRuleEnabled'],
    [
      'a reply period of 0 working days',
      [['agencies.0.clockRules', { replyWorkingDays: 0 }]],
      'agencies.0.clockRules.replyWorkingDays',
    ],
    ['a misspelt clock rule', [['agencies.0.clockRules', { replyWorkingDay: 15 }]], 'agencies.0.clockRules.replyWorkingDay'],
    [
      'a misspelt separation-of-duties rule',
      [['agencies.0.permissionRules', { separationOfDuties: { reviewerMaySignoff: true } }]],
      'agencies.0.permissionRules.separationOfDuties.reviewerMaySignoff',
    ],
    [
      'a configured remedy clause for a refusal',
      [['agencies.0.outcomeRules', { remedyClauses: { 'withheld-state-secret': 'review-or-suit' } }]],
      'agencies.0.outcomeRules.remedyClauses.withheld-state-secret',
    ],
    ['a misspelt agency field', [['agencies.0.feeRule', true]], 'agencies.0.feeRule'],
    // Users
    ['a user id with capitals and a space', [['users.0.id', 'Wang Li']], 'users.0.id'],
    ['two users with one id', [['users.1.id', 'zfb.registrar']], 'users.1.id'],
    [
      'two users with one email, differing in case',
      [['users.2.email', 'ZFB.Registrar@lyg.example.cn']],
      'users.2.email',
    ],
    ['an invalid email', [['users.0.email', 'zfb.registrar']], 'users.0.email'],
    ['no roles', [['users.0.roles', []]], 'users.0.roles'],
    ['an unknown role', [['users.0.roles', ['boss']]], 'users.0.roles.0'],
    ['a role given twice', [['users.0.roles', ['registrar', 'registrar']]], 'users.0.roles'],
    ['an agency that is not configured', [['users.4.agencyCode', 'LYG-JYJ']], 'users.4.agencyCode'],
    ['all-agencies scope for a handler', [['users.1.scope', 'all-agencies']], 'users.1.scope'],
    ['an unknown scope', [['users.1.scope', 'city']], 'users.1.scope'],
    ['a weak password hash', [['users.0.passwordHash', HASH.replace('16384', '1024')]], 'users.0.passwordHash'],
    ['a plain password instead of a hash', [['users.0.passwordHash', 'gongkai-demo']], 'users.0.passwordHash'],
    ['no name', [['users.0.name', '  ']], 'users.0.name'],
    ['handlers without a GIP office head', [['users.3.roles', ['reviewer']]], 'agencies.0'],
    ['handlers without a reviewer', [['users.2.roles', ['registrar']]], 'agencies.0'],
    // The head who drafts a reply may not sign it off, and nobody else may.
    [
      'a handler whose replies nobody else may sign off',
      [['users.3.roles', ['gip-office-head', 'handler']]],
      'users.3.roles',
    ],
    // SMTP, Temporal, database
    ['an SMTP port above 65535', [['smtp', { port: 70000 }]], 'smtp.port'],
    ['an SMTP port given as text', [['smtp', { port: '25' }]], 'smtp.port'],
    ['a sender without display name', [['smtp', { from: 'gongkai@lyg.example.cn' }]], 'smtp.from'],
    ['a sender with an invalid address', [['smtp', { from: '连云港市政府信息公开 <gongkai>' }]], 'smtp.from'],
    ['SMTP auth without password', [['smtp', { auth: { user: 'gongkai' } }]], 'smtp.auth.pass'],
    ['a Temporal address without port', [['temporal', { address: 'temporal.internal' }]], 'temporal.address'],
    [
      'both mTLS and an API key',
      [['temporal', { apiKey: 'k', tls: { clientCertPath: '/c', clientKeyPath: '/k' } }]],
      'temporal.apiKey',
    ],
    ['a misspelt Temporal field', [['temporal', { adress: '127.0.0.1:7233' }]], 'temporal.adress'],
    ['a MySQL database URL', [['database', { url: 'mysql://gongkai@db/register' }]], 'database.url'],
    ['an unknown top-level section', [['mail', {}]], 'mail'],
  ])('refuses %s, naming the field', (_what, changes, field) => {
    expect(refusedFields(withChanges(changes))).toEqual([field]);
  });

  test('names every refused field at once', () => {
    const fields = refusedFields(
      withChanges([
        ['agencies.0.code', 'lyg'],
        ['users.1.email', 'nobody'],
        ['smtp', { port: 0 }],
        ['temporal', { namespace: '' }],
      ]),
    );
    expect(fields.sort()).toEqual(['agencies.0.code', 'smtp.port', 'temporal.namespace', 'users.1.email']);
  });

  test('a misspelt key is reported together with the other problems', () => {
    const fields = refusedFields(
      withChanges([
        ['agencies.0.clockRules', { replyWorkingDay: 15 }],
        ['users.0.email', 'x'],
      ]),
    );
    expect(fields.sort()).toEqual(['agencies.0.clockRules.replyWorkingDay', 'users.0.email']);
  });

  test('messages never echo a password hash, an SMTP password, a database password, a name or an email', () => {
    const error = refusal(
      withChanges([
        ['users.0.passwordHash', 'scrypt$1024$8$1$c2VjcmV0LXNhbHQtdmFsdWU=$TOPSECRETHASHVALUE'],
        ['users.1.email', 'wang.li-at-home'],
        ['users.2.name', 42],
        ['smtp', { auth: { user: 'mailer', pass: 12345678 }, port: 'hunter2-port' }],
        ['database', { url: 'mysql://gongkai:hunter2@db/register' }],
      ]),
    );
    expect(error.problems.map((problem) => problem.field).sort()).toEqual([
      'database.url',
      'smtp.auth.pass',
      'smtp.port',
      'users.0.passwordHash',
      'users.1.email',
      'users.2.name',
    ]);
    for (const secret of ['TOPSECRET', 'c2VjcmV0', 'wang.li', '12345678', 'hunter2']) {
      expect(error.message).not.toContain(secret);
    }
  });
});

describe('document numbers', () => {
  test('GB/T 9704: the year in full and the sequence without leading zeros', () => {
    expect(formatDocumentNumber('连政办依复〔{year}〕{seq}号', 2026, 1)).toBe('连政办依复〔2026〕1号');
    expect(formatDocumentNumber('LYG-ZFB-{year}-{seq}', 2027, 123)).toBe('LYG-ZFB-2027-123');
    expect(() => formatDocumentNumber('连政办依复〔{year}〕{seq}号', 26, 1)).toThrow(RangeError);
    expect(() => formatDocumentNumber('连政办依复〔{year}〕{seq}号', 2026, 0)).toThrow(RangeError);
  });

  test('a type without a format of its own takes its number from the default sequence', () => {
    const agency = { documentNumberFormats: { default: '连环依复〔{year}〕{seq}号', 'fee-notice': '连环依费〔{year}〕{seq}号' } };
    expect(documentNumberSeries(agency, 'fee-notice')).toEqual({ series: 'fee-notice', format: '连环依费〔{year}〕{seq}号' });
    expect(documentNumberSeries(agency, 'correction-notice')).toEqual({
      series: 'default',
      format: '连环依复〔{year}〕{seq}号',
    });
  });

  // Property: among formats the schema accepts, different formats never print the same number, so refusing
  // duplicate formats is enough to keep every number unique. Formats are built from pieces chosen to collide.
  test('different accepted formats never print the same number', () => {
    const pieces = ['连', '〔', '〕', '号', '-', '第', '1', '2', '{'];
    let state = 20260101;
    // mulberry32: a small seeded generator, so a failure can be reproduced.
    const random = (n: number) => {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return (((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * n | 0;
    };
    const text = () => Array.from({ length: random(4) }, () => pieces[random(pieces.length)]).join('');
    const accepted = new Set<string>();
    for (let i = 0; i < 20_000 && accepted.size < 200; i++) {
      const [first, second] = random(5) === 0 ? ['{seq}', '{year}'] : ['{year}', '{seq}'];
      const format = text() + first + text() + second + text();
      if (documentNumberFormatSchema.safeParse(format).success) accepted.add(format);
    }
    expect(accepted.size).toBeGreaterThan(50);
    const printedBy = new Map<string, string>();
    for (const format of accepted) {
      for (const year of [1000, 2026, 2027]) {
        for (const seq of [1, 2, 12, 21, 120, 2026, 12026]) {
          const number = formatDocumentNumber(format, year, seq);
          const key = `${format}|${year}|${seq}`;
          const earlier = printedBy.get(number);
          if (earlier !== undefined) throw new Error(`${earlier} and ${key} both print ${number}`);
          printedBy.set(number, key);
        }
      }
    }
  });
});

describe('loadConfig', () => {
  const dataDir = tempDir();
  const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ GONGKAI_DATA_DIR: dataDir, ...extra });

  test('reads the file GONGKAI_CONFIG names; an explicit path wins over it', () => {
    const config = baseConfig();
    setPath(config, 'smtp', { from: '测试 <test@lyg.example.cn>' });
    const path = writeConfig(config);
    expect(loadConfig({ env: env({ GONGKAI_CONFIG: path }) }).smtp.from.name).toBe('测试');
    expect(loadConfig({ env: env({ GONGKAI_CONFIG: path }) }).configPath).toBe(path);
    expect(loadConfig({ path: DEFAULT_CONFIG_PATH, env: env({ GONGKAI_CONFIG: path }) }).agencies).toHaveLength(3);
  });

  test('the environment wins over the file', () => {
    const config = baseConfig();
    setPath(config, 'temporal', {
      address: 'file.internal:7233',
      namespace: 'from-file',
      taskQueue: 'file-queue',
      apiKey: 'file-key',
    });
    setPath(config, 'database', { url: 'postgres://file@db/register' });
    setPath(config, 'smtp', { host: 'file-smtp', port: 25, auth: { user: 'file-user', pass: 'file-pass' } });
    const loaded = loadConfig({
      path: writeConfig(config),
      env: env({
        TEMPORAL_ADDRESS: 'temporal.gov.internal:7233',
        TEMPORAL_NAMESPACE: 'gongkai-prod',
        GONGKAI_TASK_QUEUE: 'gongkai-lyg',
        GONGKAI_MAX_CACHED_WORKFLOWS: '250',
        TEMPORAL_TLS_CLIENT_CERT_PATH: '/etc/gongkai/client.pem',
        TEMPORAL_TLS_CLIENT_KEY_PATH: '/etc/gongkai/client.key',
        DATABASE_URL: 'postgresql://gongkai:pw@db.gov.internal:5432/register',
        GONGKAI_SMTP_HOST: 'smtp.gov.internal',
        GONGKAI_SMTP_PORT: '587',
        GONGKAI_SMTP_PASSWORD: 'env-pass',
      }),
    });
    // The environment's mTLS replaces the file's API key: one way of authenticating, not both.
    expect(loaded.temporal).toEqual({
      address: 'temporal.gov.internal:7233',
      namespace: 'gongkai-prod',
      taskQueue: 'gongkai-lyg',
      maxCachedWorkflows: 250,
      tls: { clientCertPath: '/etc/gongkai/client.pem', clientKeyPath: '/etc/gongkai/client.key' },
    });
    expect(loaded.database.url).toBe('postgresql://gongkai:pw@db.gov.internal:5432/register');
    expect(loaded.smtp).toMatchObject({
      host: 'smtp.gov.internal',
      port: 587,
      auth: { user: 'file-user', pass: 'env-pass' },
    });
  });

  test('empty environment variables count as unset', () => {
    const config = baseConfig();
    setPath(config, 'temporal', { address: 'file.internal:7233' });
    const loaded = loadConfig({ path: writeConfig(config), env: env({ TEMPORAL_ADDRESS: '', DATABASE_URL: '' }) });
    expect(loaded.temporal.address).toBe('file.internal:7233');
    expect(loaded.database.url).toBeUndefined();
  });

  test('an API key in the environment replaces the file mTLS settings', () => {
    const config = baseConfig();
    setPath(config, 'temporal', { tls: { clientCertPath: '/c.pem', clientKeyPath: '/k.pem' } });
    const loaded = loadConfig({ path: writeConfig(config), env: env({ TEMPORAL_API_KEY: 'env-key' }) });
    expect(loaded.temporal.apiKey).toBe('env-key');
    expect(loaded.temporal.tls).toBeUndefined();
  });

  test('the server CA and name alone adjust the file mTLS settings, and turn nothing on without them', () => {
    const config = baseConfig();
    setPath(config, 'temporal', { tls: { clientCertPath: '/c.pem', clientKeyPath: '/k.pem' } });
    const serverEnv = env({
      TEMPORAL_TLS_SERVER_NAME: 'temporal.gov.internal',
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/ca.pem',
    });
    expect(loadConfig({ path: writeConfig(config), env: serverEnv }).temporal.tls).toEqual({
      clientCertPath: '/c.pem',
      clientKeyPath: '/k.pem',
      serverRootCaPath: '/ca.pem',
      serverName: 'temporal.gov.internal',
    });
    expect(loadConfig({ path: writeConfig(baseConfig()), env: serverEnv }).temporal.tls).toBeUndefined();
  });

  test('a bad environment value is refused naming the field and the variable, without echoing it', () => {
    const error = loadRefusal(() =>
      loadConfig({
        path: writeConfig(baseConfig()),
        env: env({
          TEMPORAL_ADDRESS: 'no-port',
          DATABASE_URL: 'mysql://u:hunter2@db/x',
          GONGKAI_SMTP_PORT: 'secret-port',
        }),
      }),
    );
    expect(error.problems).toEqual([
      expect.objectContaining({ field: 'smtp.port', label: '环境变量 GONGKAI_SMTP_PORT' }),
      expect.objectContaining({ field: 'temporal.address', label: '环境变量 TEMPORAL_ADDRESS' }),
      expect.objectContaining({ field: 'database.url', label: '环境变量 DATABASE_URL' }),
    ]);
    expect(error.message).toContain('temporal.address（环境变量 TEMPORAL_ADDRESS）');
    expect(error.message).not.toMatch(/hunter2|secret-port|no-port/);
  });

  test('a TLS key path without its certificate path names the missing variable', () => {
    const error = loadRefusal(() =>
      loadConfig({ path: writeConfig(baseConfig()), env: env({ TEMPORAL_TLS_CLIENT_KEY_PATH: '/k.pem' }) }),
    );
    expect(error.problems).toEqual([
      expect.objectContaining({ field: 'temporal.tls.clientCertPath', label: '环境变量 TEMPORAL_TLS_CLIENT_CERT_PATH' }),
    ]);
  });

  test('the register goes to GONGKAI_DATA_DIR unless the file places it, relative to the project root', () => {
    const own = tempDir();
    expect(loadConfig({ path: writeConfig(baseConfig()), env: { GONGKAI_DATA_DIR: own } }).database.sqliteFile).toBe(
      join(own, 'register.sqlite'),
    );
    const placed = baseConfig();
    setPath(placed, 'database', { sqliteFile: 'var/register.sqlite' });
    expect(loadConfig({ path: writeConfig(placed), env: { GONGKAI_DATA_DIR: own } }).database.sqliteFile).toBe(
      join(PROJECT_ROOT, 'var', 'register.sqlite'),
    );
  });

  test('payload keys come from GONGKAI_CODEC_KEYS as before; a bad key is reported with the file problems', () => {
    const key = randomBytes(32).toString('base64');
    const loaded = loadConfig({ path: writeConfig(baseConfig()), env: env({ GONGKAI_CODEC_KEYS: `k2026=${key}` }) });
    expect(loaded.codecKeys).toEqual({ activeKeyId: 'k2026', keys: { k2026: key } });

    const shortKey = randomBytes(16).toString('base64');
    const config = baseConfig();
    setPath(config, 'users.0.email', 'x');
    const error = loadRefusal(() =>
      loadConfig({ path: writeConfig(config), env: env({ GONGKAI_CODEC_KEYS: `k2026=${shortKey}` }) }),
    );
    expect(error.problems.map((problem) => problem.field)).toEqual(['users.0.email', 'codecKeys.keys.k2026']);
    expect(error.message).not.toContain(shortKey);
  });

  test('in production, missing GONGKAI_CODEC_KEYS is refused', () => {
    const error = loadRefusal(() =>
      loadConfig({ path: writeConfig(baseConfig()), env: env({ GONGKAI_ENV: 'production' }) }),
    );
    expect(error.problems).toEqual([expect.objectContaining({ field: 'codecKeys', label: '环境变量 GONGKAI_CODEC_KEYS' })]);
  });

  test('a missing file is refused, pointing at GONGKAI_CONFIG', () => {
    const error = loadRefusal(() => loadConfig({ path: join(tempDir(), 'nope.json'), env: env() }));
    expect(error.problems).toEqual([{ field: '(file)', message: expect.stringContaining('GONGKAI_CONFIG') }]);
    expect(error.message).toContain('nope.json');
  });

  test('a JSON syntax error gives line and column and never quotes the text around it', () => {
    const text = '{\n  "users": [\n    { "passwordHash": "scrypt$TOPSECRET" ,, }\n  ]\n}';
    const error = loadRefusal(() => loadConfig({ path: writeConfig(text), env: env() }));
    expect(error.problems).toEqual([{ field: '(file)', message: '不是有效的 JSON / not valid JSON (line 3, column 43)' }]);
    expect(error.message).not.toContain('TOPSECRET');
  });

  test('a file holding no JSON object is refused', () => {
    const error = loadRefusal(() => loadConfig({ path: writeConfig('[]'), env: env() }));
    expect(error.problems).toEqual([{ field: '(root)', message: '应为 JSON 对象 / expected a JSON object' }]);
  });

  test('a UTF-8 byte-order mark (as some Windows editors write) is accepted', () => {
    const loaded = loadConfig({ path: writeConfig('\uFEFF' + JSON.stringify(baseConfig())), env: env() });
    expect(loaded.agencies[0]!.code).toBe('LYG-ZFB');
  });
});
