import type { z } from 'zod';

/** One refused field: its dotted path in the input, its Chinese label when known, and why it was refused. */
export interface FieldProblem {
  field: string;
  /** Chinese name of the field as people know it (证件号码), shown beside the path. */
  label?: string;
  message: string;
}

/** Chinese label of the field at `path`, or undefined when it has none. */
export type FieldLabeler = (path: readonly PropertyKey[]) => string | undefined;

export function fieldProblems(error: z.ZodError, labelOf?: FieldLabeler): FieldProblem[] {
  return error.issues.flatMap((issue) => {
    const label = labelOf?.(issue.path);
    // An unknown field is named itself, with the label of the part that holds it (it has none of its own).
    if (issue.code === 'unrecognized_keys') {
      // A key is whatever the caller typed (a name, an ID number): named only when it looks like a field name.
      return issue.keys.map((key) => ({ field: [...issue.path, safeKey(key)].map(String).join('.'), ...(label === undefined ? {} : { label }), message: issue.message }));
    }
    return {
      field: issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)',
      ...(label === undefined ? {} : { label }),
      message: issue.message,
    };
  });
}

/** `applicant.idDocument.number（证件号码）: 居民身份证号码校验码不正确 / check digit does not match` */
export const describeFieldProblem = (problem: FieldProblem): string =>
  `${problem.field}${problem.label === undefined ? '' : `（${problem.label}）`}: ${problem.message}`;

/** Raised when input fails its schema; the message names every refused field and never echoes the values. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
  constructor(
    readonly subject: string,
    readonly problems: FieldProblem[],
  ) {
    super(`${subject}: ${problems.map(describeFieldProblem).join('; ')}`);
  }
}

export interface ParseOptions {
  /** Adds each field's Chinese label to its problem. */
  labelOf?: FieldLabeler;
  /** Messages for the issues a schema leaves to zod's defaults, e.g. `bilingualIssueMessage`. */
  issueMessage?: z.core.$ZodErrorMap;
  /** Lists at most this many problems and counts the rest in one line: an oversize payload can fail thousands of times. */
  maxProblems?: number;
}

/** Parses `input` with `schema`, or throws an InvalidInputError naming each refused field. */
export function parseOrThrow<T extends z.ZodType>(
  schema: T,
  input: unknown,
  subject: string,
  options: ParseOptions = {},
): z.output<T> {
  const result = schema.safeParse(input, options.issueMessage ? { error: options.issueMessage } : undefined);
  if (result.success) return result.data;
  const problems = fieldProblems(result.error, options.labelOf);
  const max = options.maxProblems;
  if (max !== undefined && problems.length > max) {
    const omitted = problems.length - max;
    problems.splice(max, omitted, {
      field: '(root)',
      message: `另有${omitted}处问题未列出 / ${omitted} more problem(s) not listed`,
    });
  }
  throw new InvalidInputError(subject, problems);
}

const TYPE_NAMES: Record<string, [chinese: string, english: string]> = {
  string: ['文本', 'text'],
  number: ['数字', 'a number'],
  boolean: ['是或否', 'true or false'],
  object: ['对象', 'an object'],
  array: ['列表', 'a list'],
};

/** Shows a key only when it looks like a field name, so nothing a person typed as a value is echoed. */
/** The allowed values, the first twelve, and `…` when there are more (long enums stay readable). */
function oneOf(allowed: readonly unknown[]): string {
  const values = allowed.slice(0, 12).map(String);
  const more = allowed.length > values.length ? '…' : '';
  return `应为以下之一：${values.join('、')}${more} / must be one of: ${values.join(', ')}${more ? ', …' : ''}`;
}

/** A key as messages may name it: a field-like name, else `(?)` (keys can carry what the caller typed). */
export const safeKey = (key: string): string => (/^[A-Za-z][A-Za-z0-9_-]{0,39}$/.test(key) ? key : '(?)');

/**
 * Bilingual (Chinese / English) messages for zod's built-in issues. It reads only the schema's side of an issue
 * (expected type, limits, allowed values), never `issue.input`, so no submitted value reaches a message.
 */
export const bilingualIssueMessage: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return '必填 / required';
      if (issue.expected === 'never') return '此处不应填写 / must not be given';
      const [chinese, english] = TYPE_NAMES[issue.expected] ?? [issue.expected, issue.expected];
      return `类型不正确，应为${chinese} / expected ${english}`;
    }
    case 'too_big':
      if (issue.origin === 'string') return `不能超过${issue.maximum}个字符 / at most ${issue.maximum} characters`;
      if (issue.origin === 'array') return `不能超过${issue.maximum}项 / at most ${issue.maximum} items`;
      return `不能大于${issue.maximum} / at most ${issue.maximum}`;
    case 'too_small':
      if (issue.origin === 'string') {
        return Number(issue.minimum) <= 1
          ? '不能为空 / must not be empty'
          : `不能少于${issue.minimum}个字符 / at least ${issue.minimum} characters`;
      }
      if (issue.origin === 'array') return `至少需要${issue.minimum}项 / at least ${issue.minimum} item(s)`;
      return `不能小于${issue.minimum} / at least ${issue.minimum}`;
    case 'invalid_format':
      return issue.format === 'email' ? '电子邮箱格式不正确 / not a valid e-mail address' : '格式不正确 / invalid format';
    case 'invalid_value':
      return oneOf(issue.values);
    case 'invalid_union': {
      const options = (issue as { options?: unknown }).options;
      if (Array.isArray(options)) return oneOf(options);
      return '不符合任何允许的格式 / matches none of the allowed forms';
    }
    case 'unrecognized_keys': {
      const keys = issue.keys.slice(0, 5).map(safeKey).join(', ');
      return `含有不允许的字段 / unrecognized field(s): ${keys}${issue.keys.length > 5 ? ', …' : ''}`;
    }
    default:
      return '输入无效 / invalid input';
  }
};

/**
 * Error option for a discriminated union: its own message when the discriminator (`kind`, `type`) is unknown;
 * any other issue (e.g. the whole object missing) keeps the parse's message, such as 必填 / required.
 */
export const onlyForUnknownKind =
  (message: string) =>
  (issue: { code: string }): string | undefined =>
    issue.code === 'invalid_union' ? message : undefined;
