import { z } from 'zod';
import { clockRulesSchema } from './clock';
import { temporalSettingsSchema } from './config';
import { outcomeRulesSchema, REPLY_DOCUMENT_TYPES } from './outcomes';
import {
  ACTOR_SCOPES,
  type Actor,
  actorSchema,
  type PermissionRules,
  permissionRulesSchema,
  type Role,
  ROLE_LABELS,
  ROLES,
} from './roles';

// gongkai's configuration file: agencies, users, SMTP, Temporal and the register database. It is validated once at
// start-up (workers/load-config.ts), so a bad file stops the process with every refused field named. Unknown keys are
// refused at every depth (a misspelt key, silently dropped, would leave a rule at its default without anyone noticing);
// keys starting with `_` are comments and are ignored wherever they appear.

/** Adds a refusal of the field at `path` (relative to the refined value). */
const refuse = (ctx: Pick<z.core.$RefinementCtx, 'addIssue'>, path: PropertyKey[], message: string): void =>
  ctx.addIssue({ code: 'custom', path, message });

// ---------------------------------------------------------------------------------------------------------------------
// Agencies (行政机关)

/** Short keyword of an agency, the first part of its case numbers (LYG-ZFB-2026-000123): never personal data. */
export const AGENCY_CODE_PATTERN = /^[A-Z][A-Z0-9-]{1,15}$/;
export const agencyCodeSchema = z
  .string()
  .regex(AGENCY_CODE_PATTERN, '机关代码应为2-16位大写字母、数字或连字符，以字母开头 / expected 2-16 of A-Z 0-9 -, starting with a letter');

/**
 * Numbered procedural notices (程序性文书), after the Suqian set of Jiangsu forms (legal.md §2.3). Reply letters are
 * numbered by their REPLY_DOCUMENT_TYPES.
 */
export const PROCEDURAL_NOTICE_TYPES = [
  'correction-notice',
  'reasons-request',
  'extension-notice',
  'third-party-consultation',
  'co-maker-consultation',
  'consultation-notice',
  'fee-notice',
] as const;
export type ProceduralNoticeType = (typeof PROCEDURAL_NOTICE_TYPES)[number];

export const PROCEDURAL_NOTICE_LABELS: Record<ProceduralNoticeType, string> = {
  'correction-notice': '政府信息公开申请补正告知书',
  'reasons-request': '政府信息公开申请说明理由告知书',
  'extension-notice': '政府信息公开申请延期答复告知书',
  'third-party-consultation': '政府信息公开申请征求意见书（给第三方）',
  'co-maker-consultation': '政府信息公开申请征求意见书（给共同制作机关）',
  'consultation-notice': '政府信息公开申请征求意见告知书（给申请人）',
  'fee-notice': '政府信息公开申请收费通知书',
};

/** Keys of an agency's document-number formats: `default`, then any numbered letter (all but the receipt). */
export const NUMBERED_DOCUMENT_TYPES = ['default', ...REPLY_DOCUMENT_TYPES, ...PROCEDURAL_NOTICE_TYPES, 'third-party-disclosure-notice'] as const;
export type NumberedDocumentType = (typeof NUMBERED_DOCUMENT_TYPES)[number];

/**
 * Why a document-number format is unusable, or undefined when it is fine. The rules make every number name its
 * format, year and sequence unambiguously: the fixed text has no digits, so a number's two digit runs are its year
 * and then its sequence, and two different formats can never print the same number.
 */
function documentNumberFormatProblem(format: string): string | undefined {
  for (const placeholder of ['{year}', '{seq}']) {
    if (format.split(placeholder).length !== 2) {
      return `文号格式须恰好含一个${placeholder} / must contain ${placeholder} exactly once`;
    }
  }
  const [beforeYear = '', afterYear = ''] = format.split('{year}');
  const [between, afterSeq] = afterYear.split('{seq}');
  if (between === undefined || afterSeq === undefined) {
    return '{year}须在{seq}之前 / {year} must come before {seq}';
  }
  // Not needed for uniqueness (the year has four digits) but for people: 〔2026〕12号, never 202612号.
  if (between === '') return '{year}与{seq}之间须有分隔符，如〔〕 / {year} and {seq} need a separator, such as 〔〕';
  const fixed = beforeYear + between + afterSeq;
  if (/[{}]/.test(fixed)) return '文号格式只能使用{year}和{seq}两个占位符 / only {year} and {seq} may be used';
  if (/[0-9]/.test(fixed)) return '文号格式的固定文字不能含阿拉伯数字 / the fixed text must not contain digits 0-9';
  return undefined;
}

/**
 * A document-number format (发文字号), e.g. `连政办依复〔{year}〕{seq}号`. GB/T 9704: the year is written in full
 * and the sequence number without leading zeros, which is how `formatDocumentNumber` fills them in.
 */
export const documentNumberFormatSchema = z
  .string()
  .max(40)
  .superRefine((format, ctx) => {
    const problem = documentNumberFormatProblem(format);
    if (problem !== undefined) refuse(ctx, [], problem);
  });

const documentNumberFormatsSchema = z
  .partialRecord(z.enum(NUMBERED_DOCUMENT_TYPES), documentNumberFormatSchema)
  .superRefine((formats, ctx) => {
    if (formats.default === undefined) {
      refuse(ctx, ['default'], '必须配置默认文号格式 / a default format is required');
    }
    // Each listed type keeps its own sequence, so two types with one format would issue the same number twice.
    const firstTypeOf = new Map<string, string>();
    for (const [type, format] of Object.entries(formats)) {
      if (format === undefined) continue;
      const first = firstTypeOf.get(format);
      if (first === undefined) firstTypeOf.set(format, type);
      else refuse(ctx, [type], `与${first}的文号格式相同，文号会重复 / same format as ${first}: numbers would collide`);
    }
  });

const chineseNameSchema = z.string().trim().min(2).max(60);

/** Named in every reply's remedy clause (救济条款, legal.md §1.15): who reviews the reply, which court hears a suit. */
export const remedySchema = z.object({
  /** 行政复议机关 (行政复议法 Arts. 24, 27): usually 本级人民政府, e.g. 连云港市人民政府. */
  reviewBodies: z
    .array(chineseNameSchema)
    .min(1)
    .max(3)
    .refine((bodies) => new Set(bodies).size === bodies.length, '复议机关不能重复 / review bodies must differ'),
  /**
   * UNCONFIRMED (legal.md §1.15: Jiangsu's concentrated jurisdiction for administrative cases is not in the sources),
   * hence configured per agency rather than derived from the agency's level and seat.
   */
  court: chineseNameSchema.refine((court) => court.endsWith('人民法院'), '应为人民法院的全称 / expected the full name of a 人民法院'),
});
export type RemedySettings = z.output<typeof remedySchema>;

/**
 * Who receives a reminder: `handler` is the case's assigned handler; another role reaches everyone who holds it for
 * the case's agency (supervisors with all-agencies scope included).
 */
const reminderRecipientsSchema = z
  .array(z.enum(ROLES).exclude(['admin']))
  .min(1)
  .refine((roles) => new Set(roles).size === roles.length, '收件角色不能重复 / recipients must differ');

/** `HH:MM`, Beijing time. */
export const timeOfDaySchema = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, '应为HH:MM（北京时间） / expected HH:MM (Beijing time)');

const uniqueBy =
  <T>(key: (item: T) => number, message: string) =>
  (items: T[], ctx: z.core.$RefinementCtx<T[]>) => {
    const seen = new Set<number>();
    items.forEach((item, index) => {
      if (seen.has(key(item))) refuse(ctx, [index], message);
      seen.add(key(item));
    });
  };

const beforeDueReminderSchema = z.object({
  /** Working days before the reply deadline; 0 is the due day itself. */
  workingDaysBefore: z.number().int().min(0).max(60),
  recipients: reminderRecipientsSchema,
});

const overdueReminderSchema = z.object({
  /** From this working day after the deadline (1 = the first working day overdue), one reminder each working day. */
  fromWorkingDaysOverdue: z.number().int().min(1).max(60),
  recipients: reminderRecipientsSchema,
});

export type BeforeDueReminder = z.output<typeof beforeDueReminderSchema>;
export type OverdueReminder = z.output<typeof overdueReminderSchema>;

/** Reminders before and after the reply deadline, sent on working days only at `sendAt` Beijing time. */
export const reminderPolicySchema = z.object({
  sendAt: timeOfDaySchema.default('08:30'),
  beforeDue: z
    .array(beforeDueReminderSchema)
    .default([
      { workingDaysBefore: 5, recipients: ['handler'] },
      { workingDaysBefore: 1, recipients: ['handler'] },
      { workingDaysBefore: 0, recipients: ['handler'] },
    ])
    .superRefine(uniqueBy((r) => r.workingDaysBefore, '同一天的提醒只能配置一条 / one entry per day')),
  overdue: z
    .array(overdueReminderSchema)
    .default([
      { fromWorkingDaysOverdue: 1, recipients: ['handler', 'supervisor'] },
      { fromWorkingDaysOverdue: 3, recipients: ['gip-office-head'] },
    ])
    .superRefine(uniqueBy((r) => r.fromWorkingDaysOverdue, '同一起始日的提醒只能配置一条 / one entry per starting day')),
});
export type ReminderPolicy = z.output<typeof reminderPolicySchema>;
export const DEFAULT_REMINDER_POLICY: ReminderPolicy = reminderPolicySchema.parse({});

export const agencySchema = z.object({
  code: agencyCodeSchema,
  /** Full name as it heads the agency's letters, e.g. 连云港市人民政府办公室. */
  name: chineseNameSchema,
  documentNumberFormats: documentNumberFormatsSchema,
  remedy: remedySchema,
  reminders: reminderPolicySchema.prefault({}),
  /**
   * UNCONFIRMED (legal.md §1.13: the fee measures' later articles are not in the sources): whether the agency
   * charges the information-processing fee (信息处理费, Art. 42). Off unless the agency decides to charge.
   */
  feeRuleEnabled: z.boolean().default(false),
  /** Whether a reply emailed to the applicant carries the DOCX as well as the PDF. */
  deliveryAttachDocx: z.boolean().default(false),
  /** Overrides of the statutory-clock rules; what is left out keeps its default. */
  clockRules: clockRulesSchema.prefault({}),
  outcomeRules: outcomeRulesSchema.prefault({}),
  permissionRules: permissionRulesSchema.prefault({}),
});
export type AgencyConfig = z.output<typeof agencySchema>;

/** The clock rules a case of this agency runs under: without the fee rule there is no fee notice to pause for. */
export function clockRulesOf(agency: Pick<AgencyConfig, 'clockRules' | 'feeRuleEnabled'>): AgencyConfig['clockRules'] {
  return { ...agency.clockRules, feeNoticePausesClock: agency.feeRuleEnabled && agency.clockRules.feeNoticePausesClock };
}

/** The format and the sequence (文号序列) a document takes its number from: its own if configured, else `default`. */
export function documentNumberSeries(
  agency: Pick<AgencyConfig, 'documentNumberFormats'>,
  documentType: NumberedDocumentType,
): { series: NumberedDocumentType; format: string } {
  const own = agency.documentNumberFormats[documentType];
  if (own !== undefined) return { series: documentType, format: own };
  const fallback = agency.documentNumberFormats.default;
  if (fallback === undefined) throw new Error('agency has no default document-number format');
  return { series: 'default', format: fallback };
}

// ---------------------------------------------------------------------------------------------------------------------
// Users

/**
 * scrypt hashes as `scrypt$<N>$<r>$<p>$<salt base64>$<hash base64>`. The bounds refuse hashes too weak to keep and
 * parameters so large that checking one login would exhaust the server (a bad or hostile file must not do that).
 */
export const PASSWORD_HASH_LIMITS = {
  minCost: 2 ** 14,
  maxCost: 2 ** 20,
  minBlockSize: 8,
  maxBlockSize: 32,
  maxParallelization: 16,
  /** 128 · N · r bytes of memory per check. */
  maxMemoryBytes: 256 * 1024 * 1024,
  minSaltBytes: 16,
  minHashBytes: 32,
  maxHashBytes: 64,
} as const;

export interface ScryptHash {
  /** N, a power of two. */
  cost: number;
  /** r */
  blockSize: number;
  /** p */
  parallelization: number;
  saltBase64: string;
  hashBase64: string;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const base64Bytes = (b64: string): number => Math.floor((b64.replace(/=+$/, '').length * 3) / 4);
const PASSWORD_HASH_SHAPE = /^scrypt\$(\d{1,8})\$(\d{1,3})\$(\d{1,3})\$([^$]+)\$([^$]+)$/;

/** The parts of a stored hash, or undefined when it is not a well-formed hash within PASSWORD_HASH_LIMITS. */
export function parsePasswordHash(text: string): ScryptHash | undefined {
  const match = PASSWORD_HASH_SHAPE.exec(text);
  if (match === null) return undefined;
  const [, n, r, p, saltBase64 = '', hashBase64 = ''] = match;
  const parts: ScryptHash = {
    cost: Number(n),
    blockSize: Number(r),
    parallelization: Number(p),
    saltBase64,
    hashBase64,
  };
  const limits = PASSWORD_HASH_LIMITS;
  const isPowerOfTwo = (x: number) => x > 0 && (x & (x - 1)) === 0;
  const ok =
    isPowerOfTwo(parts.cost) &&
    parts.cost >= limits.minCost &&
    parts.cost <= limits.maxCost &&
    parts.blockSize >= limits.minBlockSize &&
    parts.blockSize <= limits.maxBlockSize &&
    parts.parallelization >= 1 &&
    parts.parallelization <= limits.maxParallelization &&
    128 * parts.cost * parts.blockSize <= limits.maxMemoryBytes &&
    BASE64.test(saltBase64) &&
    BASE64.test(hashBase64) &&
    base64Bytes(saltBase64) >= limits.minSaltBytes &&
    base64Bytes(hashBase64) >= limits.minHashBytes &&
    base64Bytes(hashBase64) <= limits.maxHashBytes;
  return ok ? parts : undefined;
}

export const passwordHashSchema = z
  .string()
  .refine(
    (text) => parsePasswordHash(text) !== undefined,
    '密码哈希格式不正确或强度不足（用 scripts/hash-password.ts 生成） / ' +
      'expected scrypt$N$r$p$salt$hash within limits (make one with scripts/hash-password.ts)',
  );

export const USER_ID_PATTERN = /^[a-z][a-z0-9._-]{1,31}$/;

export const userSchema = z
  .object({
    /** Account id, seen in histories and audit trails in place of the name. */
    id: z.string().regex(USER_ID_PATTERN, '用户标识应为2-32位小写字母、数字或._-，以字母开头 / expected 2-32 of a-z 0-9 . _ -'),
    name: z.string().trim().min(1).max(50),
    email: z.email(),
    roles: z
      .array(z.enum(ROLES))
      .min(1)
      .refine((roles) => new Set(roles).size === roles.length, '角色不能重复 / roles must differ'),
    agencyCode: agencyCodeSchema,
    scope: z.enum(ACTOR_SCOPES).default('own-agency'),
    passwordHash: passwordHashSchema,
  })
  .superRefine(
    (user, ctx) => {
      // roles.ts decides who may hold which scope; its answer is reported against this file's field names.
      const actor = actorSchema.safeParse(actorOf(user));
      if (actor.success) return;
      for (const issue of actor.error.issues) {
        const [first, ...rest] = issue.path;
        refuse(ctx, [first === 'userId' ? 'id' : (first ?? 'scope'), ...rest], issue.message);
      }
    },
    { when: (payload) => payload.issues.length === 0 },
  );
export type UserConfig = z.output<typeof userSchema>;

/** The actor a signed-in user acts as. */
export function actorOf(user: Pick<UserConfig, 'id' | 'roles' | 'agencyCode' | 'scope'>): Actor {
  return { userId: user.id, roles: user.roles, agencyCode: user.agencyCode, scope: user.scope };
}

// ---------------------------------------------------------------------------------------------------------------------
// SMTP, database

/** `显示名称 <address@example.cn>`; a display name with , ; or " must be quoted. */
const MAILBOX = /^\s*(?:"([^"\\\r\n]+)"|([^<>"\r\n,;]+?))\s*<([^<>\s]+)>\s*$/;

/** The sender of every email, `连云港市政府信息公开 <gongkai@lyg.example.cn>`, read into a name and an address. */
export const mailboxSchema = z.string().transform((text, ctx) => {
  const match = MAILBOX.exec(text);
  const name = (match?.[1] ?? match?.[2] ?? '').trim();
  const address = match?.[3] ?? '';
  if (name === '' || !z.email().safeParse(address).success) {
    refuse(ctx, [], '应为"显示名称 <邮箱地址>" / expected "Display Name <address@domain>"');
    return z.NEVER;
  }
  return { name, address };
});
export type Mailbox = z.output<typeof mailboxSchema>;

/** One refusal for any malformed URL (z.url would report a bad scheme and a missing host as two). */
function isSmtpUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  return (url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname !== '';
}

/** Defaults reach the local mail capture used in development and tests, without TLS. */
export const smtpSettingsSchema = z.object({
  /**
   * `smtp://user:pass@host:587` or `smtps://…:465` (SMTP_URL): when set it wins over host, port, secure and auth.
   * It may hold a password, so no message ever quotes it.
   */
  url: z
    .string()
    .refine(isSmtpUrl, '应为 smtp:// 或 smtps:// 地址，须含主机名 / expected an smtp:// or smtps:// URL with a host')
    .optional(),
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(1).max(65535).default(2525),
  /** TLS from the first byte (port 465). Otherwise nodemailer still upgrades with STARTTLS when offered. */
  secure: z.boolean().default(false),
  auth: z.object({ user: z.string().min(1), pass: z.string().min(1) }).optional(),
  from: mailboxSchema.default({ name: '政府信息公开申请办理系统', address: 'gongkai@localhost.localdomain' }),
});
export type SmtpSettings = z.output<typeof smtpSettingsSchema>;

/** The register (登记台账): PostgreSQL when `url` is set, else a local SQLite file. */
export const databaseSettingsSchema = z.object({
  url: z
    .url({ protocol: /^postgres(ql)?$/, error: '应为 postgres:// 或 postgresql:// 连接地址 / expected a postgres:// URL' })
    .optional(),
  sqliteFile: z.string().min(1).default('data/register.sqlite'),
});
export type DatabaseSettings = z.output<typeof databaseSettingsSchema>;

/** The web app: where it listens, and its address as staff reach it (emails link to `<publicUrl>/cases/<case number>`). */
export const webSettingsSchema = z.object({
  /** Loopback by default: behind a reverse proxy (TLS) in production, or GONGKAI_WEB_HOST=0.0.0.0. */
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(1).max(65535).default(3000),
  publicUrl: z
    .url({ protocol: /^https?$/, error: '应为 http:// 或 https:// 地址 / expected an http(s) URL' })
    .transform((url) => url.replace(/\/+$/, ''))
    .default('http://127.0.0.1:3000'),
  /**
   * Browser origins allowed to call the codec endpoint (`/codec`, web/codec-endpoint.ts): the Temporal Web UI's, by
   * default the dev server's UI under either name a browser may use (GONGKAI_CODEC_CORS_ORIGIN, comma-separated).
   */
  codecCorsOrigins: z
    .array(
      z
        .string()
        .regex(/^https?:\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/, '应为来源 scheme://host[:port]，不带路径 / expected an origin scheme://host[:port], no path')
        .transform((origin) => origin.toLowerCase()),
    )
    .default(['http://localhost:8233', 'http://127.0.0.1:8233']),
});
export type WebSettings = z.output<typeof webSettingsSchema>;

/** The link to a case's page in the web app. */
export function casePageUrl(web: WebSettings, caseNumber: string): string {
  return `${web.publicUrl}/cases/${encodeURIComponent(caseNumber)}`;
}

/** The daily digest (每日督办) each agency's supervisors receive on working days (workers/digest-schedules.ts). */
export const digestSettingsSchema = z.object({
  /** When it is sent, Beijing time. */
  at: timeOfDaySchema.default('09:00'),
  /** "Due soon": the reply is due within this many working days. */
  dueWithinWorkingDays: z.number().int().min(1).max(20).default(5),
});
export type DigestSettings = z.output<typeof digestSettingsSchema>;

/**
 * Metrics and the stuck-case check every worker process runs (workers/app-metrics.ts, workers/stuck-cases.ts;
 * docs/operations.md "Metrics and alerts"). 0 seconds turns either off in that process.
 */
export const monitoringSettingsSchema = z.object({
  /** How often the open-case gauges are counted from the visibility store. */
  metricsPollSeconds: z.number().int().min(0).max(86_400).default(60),
  /** How often the open cases are checked for a workflow task that keeps failing (admins are emailed). */
  stuckCheckSeconds: z.number().int().min(0).max(86_400).default(300),
  /** A case is stuck once its pending workflow task is on this attempt (the first retry is attempt 2). */
  stuckAfterAttempts: z.number().int().min(2).max(10_000).default(5),
});
export type MonitoringSettings = z.output<typeof monitoringSettingsSchema>;

// ---------------------------------------------------------------------------------------------------------------------
// The whole file

/** Roles without which a case of an agency that has handlers cannot run to its end. */
const ROLES_EVERY_CASE_NEEDS = ['registrar', 'reviewer', 'gip-office-head'] as const satisfies readonly Role[];

const configObjectSchema = z
  .object({
    agencies: z.array(agencySchema).min(1),
    users: z.array(userSchema).default([]),
    smtp: smtpSettingsSchema.prefault({}),
    temporal: temporalSettingsSchema.prefault({}),
    database: databaseSettingsSchema.prefault({}),
    web: webSettingsSchema.prefault({}),
    digest: digestSettingsSchema.prefault({}),
    monitoring: monitoringSettingsSchema.prefault({}),
  })
  // Cross-field checks compare fields that are each valid, so that one bad field is reported once, not again
  // through every field that refers to it.
  .superRefine(
    (config, ctx) => {
      checkAgenciesDistinct(config.agencies, ctx);
      checkUsers(config, ctx);
    },
    { when: (payload) => !payload.issues.some((issue) => ['agencies', 'users'].includes(String(issue.path?.[0]))) },
  );

/** Drops `_comment`-style keys at any depth: they document the file and are no configuration. */
export function withoutCommentKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutCommentKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !key.startsWith('_'))
      .map(([key, inner]) => [key, withoutCommentKeys(inner)]),
  );
}

/** The schema beneath its defaults and optionals. */
function unwrapped(schema: z.core.$ZodType): z.core.$ZodType {
  let inner = schema;
  while (inner instanceof z.ZodDefault || inner instanceof z.ZodPrefault || inner instanceof z.ZodOptional) inner = inner.unwrap();
  return inner;
}

/** The schema's object shape beneath defaults and optionals, or undefined when it is no object. */
function objectShapeOf(schema: z.core.$ZodType): Readonly<Record<string, z.core.$ZodType>> | undefined {
  const inner = unwrapped(schema);
  return inner instanceof z.ZodObject ? inner.shape : undefined;
}

function elementOf(schema: z.core.$ZodType): z.core.$ZodType | undefined {
  const inner = unwrapped(schema);
  return inner instanceof z.ZodArray ? inner.element : undefined;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Reports keys that `schema` does not know, at any depth. The rule schemas of clock.ts, outcomes.ts, roles.ts and
 * config.ts strip unknown keys, and in a configuration file a dropped key is a rule silently left at its default.
 */
function reportUnknownKeys(
  schema: z.core.$ZodType,
  value: unknown,
  path: PropertyKey[],
  ctx: z.core.$RefinementCtx,
): void {
  const element = elementOf(schema);
  if (element !== undefined) {
    if (Array.isArray(value)) value.forEach((item, index) => reportUnknownKeys(element, item, [...path, index], ctx));
    return;
  }
  const shape = objectShapeOf(schema);
  if (shape === undefined || !isPlainObject(value)) return;
  const unknownKeys = Object.keys(value).filter((key) => !Object.hasOwn(shape, key));
  if (unknownKeys.length > 0) ctx.addIssue({ code: 'unrecognized_keys', keys: unknownKeys, path, input: value });
  for (const [key, inner] of Object.entries(shape)) reportUnknownKeys(inner, value[key], [...path, key], ctx);
}

/** `schema`, refusing unknown keys at every depth, including inside schemas that would strip them. */
export function strictly<T extends z.ZodType>(schema: T) {
  return z
    .unknown()
    .superRefine((value, ctx) => reportUnknownKeys(schema, value, [], ctx))
    .pipe(schema);
}

export const gongkaiConfigSchema = z.preprocess(withoutCommentKeys, strictly(configObjectSchema));
export type GongkaiConfig = z.output<typeof gongkaiConfigSchema>;

type ConfigCtx = z.core.$RefinementCtx<z.output<typeof configObjectSchema>>;

function checkAgenciesDistinct(agencies: readonly AgencyConfig[], ctx: ConfigCtx): void {
  const codes = new Map<string, number>();
  const names = new Map<string, number>();
  const formats = new Map<string, { agency: number; type: string }>();
  agencies.forEach((agency, index) => {
    const sameCode = codes.get(agency.code);
    if (sameCode !== undefined) {
      refuse(ctx, ['agencies', index, 'code'], `与agencies.${sameCode}.code重复 / same code as agencies.${sameCode}`);
    } else codes.set(agency.code, index);
    const sameName = names.get(agency.name);
    if (sameName !== undefined) {
      refuse(ctx, ['agencies', index, 'name'], `与agencies.${sameName}.name重复 / same name as agencies.${sameName}`);
    } else names.set(agency.name, index);
    // Two agencies with one format is a copied block whose 机关代字 was not changed: their numbers would be ambiguous.
    // (Within one agency, documentNumberFormatsSchema has refused the duplicate already.)
    for (const [type, format] of Object.entries(agency.documentNumberFormats)) {
      if (format === undefined) continue;
      const first = formats.get(format);
      if (first === undefined) formats.set(format, { agency: index, type });
      else if (first.agency !== index) {
        const where = `agencies.${first.agency}.documentNumberFormats.${first.type}`;
        refuse(ctx, ['agencies', index, 'documentNumberFormats', type], `与${where}的文号格式相同 / same format as ${where}`);
      }
    }
  });
}

function checkUsers(config: z.output<typeof configObjectSchema>, ctx: ConfigCtx): void {
  const agencyCodes = new Set(config.agencies.map((agency) => agency.code));
  const ids = new Map<string, number>();
  const emails = new Map<string, number>();
  config.users.forEach((user, index) => {
    // Paths, never values: ids and emails identify people.
    const sameId = ids.get(user.id);
    if (sameId !== undefined) {
      refuse(ctx, ['users', index, 'id'], `与users.${sameId}.id重复 / same id as users.${sameId}`);
    } else ids.set(user.id, index);
    const email = user.email.toLowerCase();
    const sameEmail = emails.get(email);
    if (sameEmail !== undefined) {
      refuse(ctx, ['users', index, 'email'], `与users.${sameEmail}.email重复 / same email as users.${sameEmail}`);
    } else emails.set(email, index);
    if (!agencyCodes.has(user.agencyCode)) {
      refuse(ctx, ['users', index, 'agencyCode'], `未配置机关代码${user.agencyCode} / no agency has code ${user.agencyCode}`);
    }
  });

  // A missing role shows only when a case reaches the step that needs it, with a statutory deadline running.
  config.agencies.forEach((agency, agencyIndex) => {
    const staff = config.users.filter((user) => user.agencyCode === agency.code);
    if (!staff.some((user) => user.roles.includes('handler'))) return;
    const missing = ROLES_EVERY_CASE_NEEDS.filter((role) => !staff.some((user) => user.roles.includes(role)));
    if (missing.length > 0) {
      refuse(
        ctx,
        ['agencies', agencyIndex],
        `本机关有承办人，但没有${missing.map((role) => ROLE_LABELS[role]).join('、')}，案件无法办结 / ` +
          `has handlers but no ${missing.join(', ')}: its cases could not be completed`,
      );
      return;
    }
    config.users.forEach((handler, userIndex) => {
      if (handler.agencyCode !== agency.code || !handler.roles.includes('handler')) return;
      if (canReviewAndSignOff(handler, staff, agency.permissionRules)) return;
      refuse(
        ctx,
        ['users', userIndex, 'roles'],
        '本机关没有可审核、签发该承办人所拟答复书的其他人员（拟稿、审核、签发须由不同人员担任） / ' +
          "nobody else may review and sign off this handler's replies under the separation of duties",
      );
    });
  });
}

/** Whether someone may review, and someone may sign off, a reply drafted by `drafter` under the agency's rules. */
function canReviewAndSignOff(drafter: UserConfig, staff: readonly UserConfig[], rules: PermissionRules): boolean {
  const { drafterMayReview, reviewerMaySignOff } = rules.separationOfDuties;
  const reviewers = staff.filter((user) => user.roles.includes('reviewer') && (drafterMayReview || user !== drafter));
  const signers = staff.filter(
    (user) => user !== drafter && rules.signOffRoles.some((role) => user.roles.includes(role)),
  );
  return reviewers.some((reviewer) => signers.some((signer) => reviewerMaySignOff || signer !== reviewer));
}

/** The agency with this code, if configured. */
export function findAgency(config: Pick<GongkaiConfig, 'agencies'>, code: string): AgencyConfig | undefined {
  return config.agencies.find((agency) => agency.code === code);
}
