import { z } from 'zod';
import { beijingDateOf, INSTANT_MAX_LENGTH, instantSchema, isIsoInstant, type IsoDate } from './dates';
import { citeRegulation, type RegulationCitation } from './exemptions';
import { naturalPersonIdDocumentSchema, organisationIdDocumentSchema } from './id-documents';
import type { ReportColumn } from './report-rows';
import { bilingualIssueMessage, type FieldLabeler, onlyForUnknownKind, parseOrThrow } from './validation';

// A request for disclosure of government information (政府信息公开申请) as received: who applies (Art. 29(1)),
// what they ask for (29(2)), in which form and manner they want it (29(3), Art. 40), and how it reached the agency,
// which fixes the receipt date T0 (Art. 31). Field names are English; every refusal names the field and its
// Chinese label and never repeats what was submitted.

// ---------------------------------------------------------------------------------------------------------------
// Vocabulary

/** 申请人类型: Art. 27 "公民、法人或者其他组织". */
export const APPLICANT_TYPES = ['natural-person', 'organisation'] as const;
export type ApplicantType = (typeof APPLICANT_TYPES)[number];
export const APPLICANT_TYPE_LABELS: Record<ApplicantType, string> = {
  'natural-person': '自然人',
  organisation: '法人或其他组织',
};

/** Organisation sub-types: the annual report's 法人或其他组织 columns (legal.md §3.1). Keys match `report-rows.ts`. */
export const ORGANISATION_TYPES = [
  'commercial-enterprise',
  'research-institution',
  'public-welfare-organisation',
  'legal-service-institution',
  'other-organisation',
] as const;
export type OrganisationType = (typeof ORGANISATION_TYPES)[number];
export const ORGANISATION_TYPE_LABELS: Record<OrganisationType, string> = {
  'commercial-enterprise': '商业企业',
  'research-institution': '科研机构',
  'public-welfare-organisation': '社会公益组织',
  'legal-service-institution': '法律服务机构',
  'other-organisation': '其他',
};

/** The six annual-report columns an applicant can fall in (the seventh, 总计, is a sum). */
export const APPLICANT_REPORT_COLUMNS = [
  'natural-person',
  ...ORGANISATION_TYPES,
] as const satisfies readonly ReportColumn[];
export type ApplicantReportColumn = (typeof APPLICANT_REPORT_COLUMNS)[number];

/** 信息提供形式 (Art. 40): what the applicant wants to receive. */
export const PROVISION_FORMS = ['paper', 'electronic', 'inspection'] as const;
export type ProvisionForm = (typeof PROVISION_FORMS)[number];
export const PROVISION_FORM_LABELS: Record<ProvisionForm, string> = {
  paper: '纸质文本',
  electronic: '电子数据',
  inspection: '查阅、抄录',
};

/** 获取信息的方式、途径 (Art. 29(3)). */
export const PROVISION_MANNERS = ['post', 'email', 'fax', 'online', 'collect', 'on-site'] as const;
export type ProvisionManner = (typeof PROVISION_MANNERS)[number];
export const PROVISION_MANNER_LABELS: Record<ProvisionManner, string> = {
  post: '邮寄',
  email: '电子邮件',
  fax: '传真',
  online: '网上获取',
  collect: '当面领取',
  'on-site': '现场查阅、抄录',
};

/** Which manners can deliver which form: paper cannot be e-mailed, and inspection happens only on site. */
export const PERMITTED_MANNERS: Record<ProvisionForm, readonly ProvisionManner[]> = {
  paper: ['post', 'fax', 'collect'],
  electronic: ['email', 'online', 'post', 'collect'],
  inspection: ['on-site'],
};

/** Contact fields a manner of provision cannot work without. */
export const CONTACT_FIELD_REQUIRED_BY_MANNER: Record<ProvisionManner, ContactField | undefined> = {
  post: 'postalAddress',
  email: 'email',
  fax: 'fax',
  online: undefined,
  collect: undefined,
  'on-site': undefined,
};

/** 提交方式: the channels Art. 31 distinguishes, plus oral applications filled in by the office (Art. 29(1)). */
export const CHANNEL_KINDS = ['in-person', 'registered-post', 'ordinary-mail', 'internet', 'fax', 'oral'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];
export const CHANNEL_LABELS: Record<ChannelKind, string> = {
  'in-person': '当面提交',
  'registered-post': '邮寄（需签收）',
  'ordinary-mail': '平常信函',
  internet: '互联网',
  fax: '传真',
  oral: '口头提出（代为填写）',
};

/** Channels whose receipt date is the day of confirmation with the applicant (Art. 31(2) second sentence, 31(3)). */
export const CHANNEL_NEEDS_CONFIRMATION: Record<ChannelKind, boolean> = {
  'in-person': false,
  'registered-post': false,
  'ordinary-mail': true,
  internet: true,
  fax: true,
  oral: false,
};

// ---------------------------------------------------------------------------------------------------------------
// Limits: every string and list is bounded, so an oversize payload is refused before it is scanned.

export const APPLICATION_LIMITS = {
  agencyCodeLength: 32,
  applicantNameLength: 100,
  phoneLength: 30,
  emailLength: 254,
  postalAddressLength: 200,
  /** Postcodes are 6 digits; the bound only stops a long value from being scanned. */
  postcodeLength: 10,
  requestedItems: 100,
  itemTitleLength: 300,
  itemDocumentNumberLength: 100,
  itemDescriptionLength: 2000,
  instantLength: INSTANT_MAX_LENGTH,
} as const;

/** An oversize payload can fail in thousands of places; the error lists this many and counts the rest. */
export const MAX_REPORTED_PROBLEMS = 30;

// ---------------------------------------------------------------------------------------------------------------
// Field schemas

const CONTROL_CHARACTERS_MESSAGE = '不能含有控制字符 / must not contain control characters';

/** Trimmed, non-empty, bounded text without control characters (line breaks allowed only where `multiline`). */
function text(max: number, { multiline = false } = {}) {
  return z
    .string()
    .max(max, { abort: true })
    .normalize('NFC')
    .trim()
    .min(1)
    .refine((value) => !/\p{Cc}/u.test(multiline ? value.replace(/[\n\r\t]/g, '') : value), CONTROL_CHARACTERS_MESSAGE);
}

export const agencyCodeSchema = z
  .string()
  .max(APPLICATION_LIMITS.agencyCodeLength, { abort: true })
  .regex(
    /^[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?$/,
    '受理机关代码只能由字母、数字、-和_组成 / only letters, digits, - and _',
  );

const phoneSchema = z
  .string()
  .max(APPLICATION_LIMITS.phoneLength, { abort: true })
  .normalize('NFKC')
  .trim()
  .refine((value) => {
    const digits = value.replace(/\D/g, '').length;
    return /^\+?[\d\s()-]+$/.test(value) && digits >= 7 && digits <= 20;
  }, '号码应为7至20位数字，可含+、-、空格和括号 / 7-20 digits, optionally with +, -, spaces and brackets');

const emailSchema = z
  .string()
  .max(APPLICATION_LIMITS.emailLength, { abort: true })
  .trim()
  .pipe(z.email('电子邮箱格式不正确 / not a valid e-mail address'));

const postcodeSchema = z
  .string()
  .max(APPLICATION_LIMITS.postcodeLength, { abort: true })
  .normalize('NFKC')
  .trim()
  .regex(/^\d{6}$/, '邮政编码应为6位数字 / must be 6 digits');

// ---------------------------------------------------------------------------------------------------------------
// Parts of the application

/** A JSON object: a list is no object, and a cross-field check must not read fields off one. */
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const startsWith = (path: readonly PropertyKey[], prefix: readonly PropertyKey[]): boolean =>
  prefix.every((segment, i) => path[i] === segment);

/**
 * Cross-field checks run when the object itself parsed and the fields they compare carry no issue, so every
 * independent problem is reported in one pass (one-time 补正, Art. 30) without a check reading a malformed field.
 */
const whenClean =
  (...fields: readonly (readonly PropertyKey[])[]) =>
  (payload: z.core.ParsePayload): boolean =>
    isObject(payload.value) &&
    !payload.issues.some((issue) => fields.some((field) => startsWith(issue.path ?? [], field)));

const NOT_FOR_NATURAL_PERSONS = '自然人不填写组织类别 / only organisations have an organisation type';

export const applicantSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('natural-person'),
      organisationType: z.never({ error: NOT_FOR_NATURAL_PERSONS }).optional(),
      name: text(APPLICATION_LIMITS.applicantNameLength),
      idDocument: naturalPersonIdDocumentSchema,
    }),
    z.strictObject({
      type: z.literal('organisation'),
      organisationType: z.enum(ORGANISATION_TYPES, {
        error: (issue) =>
          issue.input === undefined
            ? '法人或其他组织须选择组织类别 / required for organisations'
            : `组织类别应为以下之一：${ORGANISATION_TYPES.join('、')} / must be one of: ${ORGANISATION_TYPES.join(', ')}`,
      }),
      name: text(APPLICATION_LIMITS.applicantNameLength),
      idDocument: organisationIdDocumentSchema,
    }),
  ],
  {
    error: onlyForUnknownKind(
      '申请人类型应为natural-person（自然人）或organisation（法人或其他组织） / must be natural-person or organisation',
    ),
  },
);
export type Applicant = z.output<typeof applicantSchema>;

export const contactSchema = z
  .strictObject({
    phone: phoneSchema.optional(),
    email: emailSchema.optional(),
    fax: phoneSchema.optional(),
    postalAddress: text(APPLICATION_LIMITS.postalAddressLength).optional(),
    postcode: postcodeSchema.optional(),
  })
  .superRefine(
    (contact, ctx) => {
      if (contact.phone === undefined && contact.email === undefined && contact.postalAddress === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: '联系电话、电子邮箱、通信地址至少填写一项 / give at least one of phone, email, postalAddress',
        });
      }
    },
    // A field that was given but is malformed still counts as given.
    { when: whenClean() },
  );
export type Contact = z.output<typeof contactSchema>;
export type ContactField = keyof Contact;

export const requestedItemSchema = z
  .strictObject({
    title: text(APPLICATION_LIMITS.itemTitleLength).optional(),
    documentNumber: text(APPLICATION_LIMITS.itemDocumentNumberLength).optional(),
    description: text(APPLICATION_LIMITS.itemDescriptionLength, { multiline: true }).optional(),
  })
  .superRefine(
    (item, ctx) => {
      if (item.title === undefined && item.documentNumber === undefined && item.description === undefined) {
        ctx.addIssue({
          code: 'custom',
          message:
            '名称、文号、特征性描述至少填写一项 / give at least one of title, documentNumber, description',
        });
      }
    },
    { when: whenClean() },
  );
export type RequestedItem = z.output<typeof requestedItemSchema>;

/** The list's length is checked before any item is parsed, so a huge list yields one problem, not one per item. */
const requestedItemsSchema = z
  .array(z.unknown())
  .min(1)
  .max(APPLICATION_LIMITS.requestedItems)
  .pipe(z.array(requestedItemSchema));

export const provisionSchema = z
  .strictObject({
    form: z.enum(PROVISION_FORMS),
    manner: z.enum(PROVISION_MANNERS),
  })
  .superRefine(
    (provision, ctx) => {
      if (!PERMITTED_MANNERS[provision.form].includes(provision.manner)) {
        const manners = PERMITTED_MANNERS[provision.form];
        const mannerLabels = manners.map((manner) => PROVISION_MANNER_LABELS[manner]).join('、');
        ctx.addIssue({
          code: 'custom',
          path: ['manner'],
          message:
            `提供形式为“${PROVISION_FORM_LABELS[provision.form]}”的，获取方式只能是：${mannerLabels}` +
            ` / form ${provision.form} allows only: ${manners.join(', ')}`,
        });
      }
    },
    { when: whenClean(['form'], ['manner']) },
  );
export type Provision = z.output<typeof provisionSchema>;

/**
 * A channel's time: an instant of this century. The statutory calendar counts working days only from there, and a
 * year typed as 0226 or 2926 is a typo, not a request to answer in another millennium.
 */
const channelInstantSchema = instantSchema.refine((text) => {
  if (!isIsoInstant(text)) return true; // instantSchema has said so already
  const year = Number(beijingDateOf(text).slice(0, 4));
  return year >= 2000 && year <= 2099;
}, '应为2000年至2099年之间的时刻 / must be an instant between 2000 and 2099');

/** A confirmation (确认) cannot come before the application reached the agency. */
function confirmationNotBefore<K extends string>(startField: K) {
  return [
    (channel: Record<K, string> & { confirmedAt?: string | undefined }, ctx: z.core.$RefinementCtx) => {
      if (channel.confirmedAt !== undefined && Date.parse(channel.confirmedAt) < Date.parse(channel[startField])) {
        ctx.addIssue({
          code: 'custom',
          path: ['confirmedAt'],
          message: `确认时间不能早于${applicationFieldLabel(['channel', startField])} / cannot precede ${startField}`,
        });
      }
    },
    { when: whenClean([startField], ['confirmedAt']) },
  ] as const;
}

export const channelSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('in-person'), submittedAt: channelInstantSchema }),
    z.strictObject({ kind: z.literal('registered-post'), signedForAt: channelInstantSchema }),
    z
      .strictObject({ kind: z.literal('ordinary-mail'), arrivedAt: channelInstantSchema, confirmedAt: channelInstantSchema.optional() })
      .superRefine(...confirmationNotBefore('arrivedAt')),
    z
      .strictObject({ kind: z.literal('internet'), submittedAt: channelInstantSchema, confirmedAt: channelInstantSchema.optional() })
      .superRefine(...confirmationNotBefore('submittedAt')),
    z
      .strictObject({ kind: z.literal('fax'), receivedAt: channelInstantSchema, confirmedAt: channelInstantSchema.optional() })
      .superRefine(...confirmationNotBefore('receivedAt')),
    z.strictObject({ kind: z.literal('oral'), submittedAt: channelInstantSchema }),
  ],
  {
    error: onlyForUnknownKind(
      `提交方式应为以下之一：${CHANNEL_KINDS.join('、')} / must be one of: ${CHANNEL_KINDS.join(', ')}`,
    ),
  },
);
export type Channel = z.output<typeof channelSchema>;

// ---------------------------------------------------------------------------------------------------------------
// The application

export const applicationSchema = z
  .strictObject({
    /** The receiving agency's code (受理机关); it prefixes the case number. */
    agencyCode: agencyCodeSchema,
    applicant: applicantSchema,
    contact: contactSchema,
    requestedItems: requestedItemsSchema,
    provision: provisionSchema,
    channel: channelSchema,
  })
  .superRefine(
    (application, ctx) => {
      const field = CONTACT_FIELD_REQUIRED_BY_MANNER[application.provision.manner];
      if (field !== undefined && application.contact[field] === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['contact', field],
          message:
            `以${PROVISION_MANNER_LABELS[application.provision.manner]}方式获取信息的，须填写${CONTACT_FIELD_LABELS[field]}` +
            ` / required when the manner of provision is ${application.provision.manner}`,
        });
      }
    },
    {
      when: (payload) =>
        whenClean(['provision', 'manner'])(payload) &&
        isObject((payload.value as { contact?: unknown }).contact) &&
        !payload.issues.some((issue) => issue.path?.length === 1 && issue.path[0] === 'provision'),
    },
  );
export type Application = z.output<typeof applicationSchema>;
/**
 * What callers submit: normalisation (trimming, full-width digits, upper-case X) happens while parsing.
 * `requestedItems` is `unknown[]` here because its length is checked before its items are.
 */
export type ApplicationInput = z.input<typeof applicationSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Field labels

const CONTACT_FIELD_LABELS: Record<ContactField, string> = {
  phone: '联系电话',
  email: '电子邮箱',
  fax: '传真号码',
  postalAddress: '通信地址',
  postcode: '邮政编码',
};

/** Chinese labels by dotted path; `*` stands for a list index. */
export const APPLICATION_FIELD_LABELS: Readonly<Record<string, string>> = {
  '': '政府信息公开申请',
  agencyCode: '受理机关代码',
  applicant: '申请人',
  'applicant.type': '申请人类型',
  'applicant.organisationType': '组织类别',
  'applicant.name': '申请人姓名或者名称',
  'applicant.idDocument': '身份证明',
  'applicant.idDocument.kind': '证件类型',
  'applicant.idDocument.kindName': '证件名称',
  'applicant.idDocument.number': '证件号码',
  contact: '联系方式',
  ...Object.fromEntries(Object.entries(CONTACT_FIELD_LABELS).map(([field, label]) => [`contact.${field}`, label])),
  requestedItems: '申请公开的政府信息',
  'requestedItems.*': '申请公开的政府信息',
  'requestedItems.*.title': '政府信息名称',
  'requestedItems.*.documentNumber': '文号',
  'requestedItems.*.description': '特征性描述',
  provision: '政府信息的形式要求',
  'provision.form': '提供形式',
  'provision.manner': '获取方式',
  channel: '提交方式及时间',
  'channel.kind': '提交方式',
  'channel.submittedAt': '提交时间',
  'channel.signedForAt': '签收时间',
  'channel.arrivedAt': '信函收到时间',
  'channel.receivedAt': '传真收到时间',
  'channel.confirmedAt': '确认时间',
};

/** The label of `path`, or of its nearest labelled ancestor; requested items are numbered as people count (第1项). */
export const applicationFieldLabel: FieldLabeler = (path) => {
  const segments = path.map((segment) => (typeof segment === 'number' ? '*' : String(segment)));
  for (let length = segments.length; length >= 0; length--) {
    const label = APPLICATION_FIELD_LABELS[segments.slice(0, length).join('.')];
    if (label === undefined) continue;
    const itemIndex = path[0] === 'requestedItems' && length >= 2 ? path[1] : undefined;
    return typeof itemIndex === 'number' ? `第${itemIndex + 1}项·${label}` : label;
  }
  return undefined;
};

/** Parses a submitted application, or throws InvalidInputError naming each refused field in English and Chinese. */
export function parseApplication(input: unknown): Application {
  return parseOrThrow(applicationSchema, input, '政府信息公开申请 / application', {
    labelOf: applicationFieldLabel,
    issueMessage: bilingualIssueMessage,
    maxProblems: MAX_REPORTED_PROBLEMS,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Annual-report column

const ORGANISATION_REPORT_COLUMN: Record<OrganisationType, ApplicantReportColumn> = {
  'commercial-enterprise': 'commercial-enterprise',
  'research-institution': 'research-institution',
  'public-welfare-organisation': 'public-welfare-organisation',
  'legal-service-institution': 'legal-service-institution',
  'other-organisation': 'other-organisation',
};

/** The 申请人情况 column of annual-report table 三 that counts this applicant. */
export function applicantReportColumn(applicant: Applicant): ApplicantReportColumn {
  return applicant.type === 'natural-person'
    ? 'natural-person'
    : ORGANISATION_REPORT_COLUMN[applicant.organisationType];
}

// ---------------------------------------------------------------------------------------------------------------
// Receipt date T0 (收到申请之日, Art. 31)

export type ReceiptDate =
  | {
      status: 'received';
      /** T0: the Beijing calendar date the application counts as received. */
      receivedOn: IsoDate;
      citation: RegulationCitation;
      /** Why this day, citing article and item: a clause without closing 。, to embed (e.g. in the clock's explanation). */
      basis: string;
    }
  | {
      status: 'awaiting-confirmation';
      citation: RegulationCitation;
      /** What is outstanding; no statutory clock runs until confirmation. */
      reason: string;
    };

/** The rule of Art. 31 each channel follows, worded as the Regulation words it. */
export const RECEIPT_RULES: Record<ChannelKind, { citation: RegulationCitation; rule: string }> = {
  'in-person': {
    citation: { article: 31, item: 1 },
    rule: '申请人当面提交政府信息公开申请的，以提交之日为收到申请之日',
  },
  // Art. 31 does not name oral applications; the office fills in the form with the applicant present (DERIVED).
  oral: {
    citation: { article: 31, item: 1 },
    rule: '申请人口头提出、由政府信息公开工作机构代为填写申请（第二十九条第一款）的，参照当面提交，以提交之日为收到申请之日',
  },
  'registered-post': {
    citation: { article: 31, item: 2 },
    rule: '申请人以邮寄方式提交政府信息公开申请的，以行政机关签收之日为收到申请之日',
  },
  'ordinary-mail': {
    citation: { article: 31, item: 2 },
    rule: '以平常信函等无需签收的邮寄方式提交政府信息公开申请的，以政府信息公开工作机构与申请人确认之日为收到申请之日',
  },
  internet: {
    citation: { article: 31, item: 3 },
    rule: '申请人通过互联网渠道提交政府信息公开申请的，以双方确认之日为收到申请之日',
  },
  fax: {
    citation: { article: 31, item: 3 },
    rule: '申请人通过政府信息公开工作机构的传真提交政府信息公开申请的，以双方确认之日为收到申请之日',
  },
};

/** What is still outstanding before T0 exists, given the Beijing date the application reached the agency. */
const OUTSTANDING_CONFIRMATION = {
  'ordinary-mail': (on: IsoDate) => `平常信函已于${on}收到，尚待政府信息公开工作机构与申请人确认（应于收到当日确认）`,
  internet: (on: IsoDate) => `申请已于${on}通过互联网渠道提交，尚待双方确认`,
  fax: (on: IsoDate) => `传真申请已于${on}收到，尚待双方确认`,
} satisfies Partial<Record<ChannelKind, (on: IsoDate) => string>>;

/** The instant Art. 31 counts from, or what is outstanding while a needed confirmation has not happened. */
function countingInstant(channel: Channel): { countsFrom: string } | { outstanding: string } {
  const confirmedOr = (confirmedAt: string | undefined, arrivedAt: string, outstanding: (on: IsoDate) => string) =>
    confirmedAt === undefined ? { outstanding: outstanding(beijingDateOf(arrivedAt)) } : { countsFrom: confirmedAt };
  switch (channel.kind) {
    case 'in-person':
    case 'oral':
      return { countsFrom: channel.submittedAt };
    case 'registered-post':
      return { countsFrom: channel.signedForAt };
    case 'ordinary-mail':
      return confirmedOr(channel.confirmedAt, channel.arrivedAt, OUTSTANDING_CONFIRMATION['ordinary-mail']);
    case 'internet':
      return confirmedOr(channel.confirmedAt, channel.submittedAt, OUTSTANDING_CONFIRMATION.internet);
    case 'fax':
      return confirmedOr(channel.confirmedAt, channel.receivedAt, OUTSTANDING_CONFIRMATION.fax);
  }
}

/**
 * T0 under Art. 31, as a Beijing calendar date: the day of submission (in person, oral), of the agency's
 * signature (registered post), or of the confirmation with the applicant (ordinary mail, internet, fax).
 * Until a needed confirmation happens there is no T0, and no clock runs.
 */
export function receiptDate(application: Pick<Application, 'channel'>): ReceiptDate {
  const { citation, rule } = RECEIPT_RULES[application.channel.kind];
  const instant = countingInstant(application.channel);
  if ('outstanding' in instant) {
    return {
      status: 'awaiting-confirmation',
      citation,
      reason: `${instant.outstanding}；确认之日为收到申请之日，确认前答复期限不起算（${citeRegulation(citation)}）。`,
    };
  }
  return {
    status: 'received',
    receivedOn: beijingDateOf(instant.countsFrom),
    citation,
    basis: `依据${citeRegulation(citation)}，${rule}`,
  };
}
