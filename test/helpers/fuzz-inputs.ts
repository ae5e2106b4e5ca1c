import fc from 'fast-check';
import { APPLICATION_LIMITS } from '../../domain/application';
import { MAX_ID_NUMBER_LENGTH } from '../../domain/id-documents';
import { referenceResidentCheck, referenceUsccCheck, USCC_SET } from './id-numbers';

// Hostile input for the fuzz tests (test/fuzz): script and template injection, control characters, oversize and
// wrongly typed values, malformed JSON, ID numbers with a wrong check character — and applications that are invalid
// by construction, each for a reason this file states (never by asking the code under test).

/**
 * Script, template and SQL injection. Each that could run sets `window.__gkFired` and opens a dialog, so a browser
 * that ran one shows it; none holds a control character, so every one is valid text in any free-text field.
 */
export const INJECTIONS = [
  '<script>window.__gkFired=1;alert("gk-xss-1")</script>',
  '"><img src=x onerror="window.__gkFired=1;alert(\'gk-xss-2\')">',
  "'><svg onload=\"window.__gkFired=1;alert('gk-xss-3')\">",
  '</textarea></title><script>window.__gkFired=1;alert("gk-xss-4")</script>',
  '<iframe srcdoc="<script>parent.__gkFired=1</script>"></iframe>',
  '<a href="javascript:window.__gkFired=1">gk-link</a>',
  "{{constructor.constructor('window.__gkFired=1;alert(5)')()}}",
  '{{#with "s" as |string|}}{{string.sub.apply 0 "constructor"}}{{/with}}',
  '{{> layout}}{{{body}}}{{@root}}{{lookup this "password"}}',
  '${globalThis.__gkFired=1}${7*7}',
  '#{7*7}<%= 7*7 %>[[7*7]]',
  "'; DROP TABLE gk_case; --",
  '" OR "1"="1" --',
  "Robert'); DELETE FROM gk_case WHERE ('1'='1",
  '\\"; SELECT * FROM gk_applicant_index; --',
  '../../../../etc/passwd',
  '%00%0d%0aSet-Cookie: gk_session=forged',
  '\u202egnp.exe\u200b\ufeff',
  '=HYPERLINK("http://evil.example/","x")',
] as const;

/** Injections that would change a page if they were not escaped: they must never reach HTML as they are. */
export const MARKUP_INJECTIONS = INJECTIONS.filter((text) => /[<>"]/.test(text));

/** Control characters (C0, DEL, C1) that no single-line field may hold. Tab, line feed and carriage return included. */
export const CONTROL_CHARACTERS = ['\u0000', '\u0001', '\u0007', '\u0008', '\t', '\n', '\u000b', '\u000c', '\r', '\u001b', '\u001f', '\u007f', '\u0085', '\u009b'] as const;
/** Control characters that even a multi-line field (a description) refuses: all but tab, line feed and carriage return. */
export const HARD_CONTROL_CHARACTERS = CONTROL_CHARACTERS.filter((c) => !['\t', '\n', '\r'].includes(c));

export const injection = (): fc.Arbitrary<string> => fc.constantFrom(...INJECTIONS);

/** Any text a person could type or paste, hostile or not: injections (alone or in text), unicode, binary, long runs. */
export function hostileText({ maxLength = 300 }: { maxLength?: number } = {}): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: injection(), weight: 4 },
    { arbitrary: fc.tuple(fc.string({ maxLength: 20 }), injection(), fc.string({ unit: 'grapheme', maxLength: 20 })).map((parts) => parts.join('')), weight: 3 },
    { arbitrary: fc.string({ unit: 'grapheme', maxLength }), weight: 2 },
    { arbitrary: fc.string({ unit: 'binary', maxLength }), weight: 2 },
    { arbitrary: fc.tuple(fc.string({ maxLength: 10 }), fc.constantFrom(...CONTROL_CHARACTERS), fc.string({ maxLength: 10 })).map((parts) => parts.join('')), weight: 2 },
    { arbitrary: fc.constantFrom('', ' ', '\u3000', '\ud800', '\udfff', '\u0000', 'null', 'undefined', 'NaN', '-1', '0', '1e308', 'true', '[]', '{}', '__proto__', 'constructor'), weight: 2 },
    // Long runs, up to twenty times the field's length (bodies over the app's limit are separate inputs where wanted).
    { arbitrary: fc.tuple(fc.constantFrom('a', '张', '<', '"', '\\', '%'), fc.integer({ min: 1, max: Math.max(20, maxLength * 20) })).map(([c, n]) => c.repeat(n)), weight: 1 },
  );
}

/** Text that is valid in any free-text field (no control character, not blank) yet carries an injection. */
export function injectedValidText(maxLength: number): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom('', '张三', '申请人', 'Li Si '), injection(), fc.constantFrom('', '的信息', ' end'))
    .map((parts) => parts.join('').slice(0, maxLength))
    .filter((text) => text.trim().length > 0);
}

/** Any JSON value (numbers, strings, arrays, objects), for a field that expects something else. */
export const anyJson = (): fc.Arbitrary<unknown> => fc.jsonValue({ maxDepth: 3 });

/** A value that is not a string. */
export const notAString = (): fc.Arbitrary<unknown> => anyJson().filter((value) => typeof value !== 'string');
/** A value that is not a plain object. */
export const notAnObject = (): fc.Arbitrary<unknown> => anyJson().filter((value) => value === null || typeof value !== 'object' || Array.isArray(value));

/** Request bodies that are not JSON, or JSON that is not an object (the API's bodies are objects). */
export function malformedJsonText(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom('', '{', '}', '{"a":', '{"a" 1}', "{'a':1}", '[1,2', 'nul', 'tru', '"unterminated', '{"a":1,}', '{"a":NaN}', '{"a":Infinity}', '{"a":undefined}', '\ufeff{}x', '{"__proto__":{"polluted":1}}x', '\u0000'),
    fc.string({ unit: 'binary', maxLength: 200 }).filter((text) => !isJson(text)),
    fc.integer({ min: 1, max: 20_000 }).map((depth) => '['.repeat(depth)),
    fc.integer({ min: 1, max: 60_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
    fc.integer({ min: 1, max: 30_000 }).map((depth) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)),
    anyJson().filter((value) => value === null || typeof value !== 'object' || Array.isArray(value)).map((value) => JSON.stringify(value)),
  );
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** A key no strict object of the application or an act knows. */
export const unknownKey = (): fc.Arbitrary<string> =>
  fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'isAdmin', 'role', '$where', 'toString', ''), fc.string({ minLength: 1, maxLength: 40 }).map((key) => `x-${key}`));

// ---------------------------------------------------------------------------------------------------------------
// ID numbers with a wrong check character (the reference check of test/helpers/id-numbers.ts, computed apart
// from domain/id-documents.ts).

const digitString = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: length, maxLength: length });

/** A 居民身份证号码 with a real birth date whose check character is wrong. */
export function residentIdWithWrongCheck(): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...'123456789'), digitString(5), fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2025-12-31T00:00:00Z'), noInvalidDate: true }), digitString(3), fc.nat(9))
    .map(([first, region, birth, sequence, offset]) => {
      const first17 = first + region + birth.toISOString().slice(0, 10).replace(/-/g, '') + sequence;
      const checks = '0123456789X';
      const right = checks.indexOf(referenceResidentCheck(first17));
      return first17 + checks[(right + 1 + offset) % checks.length];
    });
}

/** A 统一社会信用代码 whose check character is wrong. */
export function usccWithWrongCheck(): fc.Arbitrary<string> {
  return fc.tuple(fc.string({ unit: fc.constantFrom(...USCC_SET), minLength: 17, maxLength: 17 }), fc.nat(29)).map(([first17, offset]) => {
    const right = USCC_SET.indexOf(referenceUsccCheck(first17));
    return first17 + USCC_SET[(right + 1 + offset) % USCC_SET.length];
  });
}

/** A 居民身份证号码 that fails for another reason: length, characters, a birth date that does not exist. */
export function malformedResidentId(): fc.Arbitrary<string> {
  return fc.oneof(
    digitString(17),
    digitString(19),
    fc.constantFrom('11010519491231002', '1101051949123100211', '110105194912310O2X', '110105194902300021', '110105179912310021', 'ABCDEFGHIJKLMNOPQR'),
    fc.string({ minLength: MAX_ID_NUMBER_LENGTH + 1, maxLength: 400 }),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Applications that are invalid by construction: one change that the schema (domain/application.ts) refuses,
// after any number of changes it accepts (injections in free text).

type Json = Record<string, unknown>;

const clone = <T>(value: T): T => structuredClone(value);

function setAt(root: Json, path: readonly (string | number)[], value: unknown): void {
  let node: Record<string | number, unknown> = root;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== 'object') node[key] = {};
    node = node[key] as Record<string | number, unknown>;
  }
  const last = path[path.length - 1]!;
  // A key such as `__proto__` is an own property, as JSON.parse on the server makes it.
  Object.defineProperty(node, last, { value, enumerable: true, writable: true, configurable: true });
}

function deleteAt(root: Json, path: readonly (string | number)[]): void {
  let node: unknown = root;
  for (const key of path.slice(0, -1)) node = (node as Record<string | number, unknown>)[key];
  if (node !== null && typeof node === 'object') delete (node as Record<string | number, unknown>)[path[path.length - 1]!];
}

/** Fields every application must have (for the in-person channel of the base application). */
const REQUIRED_PATHS = [
  ['agencyCode'],
  ['applicant'],
  ['applicant', 'type'],
  ['applicant', 'name'],
  ['applicant', 'idDocument'],
  ['applicant', 'idDocument', 'kind'],
  ['applicant', 'idDocument', 'number'],
  ['contact'],
  ['requestedItems'],
  ['provision'],
  ['provision', 'form'],
  ['provision', 'manner'],
  ['channel'],
  ['channel', 'kind'],
  ['channel', 'submittedAt'],
] as const;

const STRING_PATHS = [
  ['agencyCode'],
  ['applicant', 'type'],
  ['applicant', 'name'],
  ['applicant', 'idDocument', 'kind'],
  ['applicant', 'idDocument', 'number'],
  ['contact', 'phone'],
  ['contact', 'postalAddress'],
  ['contact', 'postcode'],
  ['requestedItems', 0, 'title'],
  ['requestedItems', 0, 'documentNumber'],
  ['provision', 'form'],
  ['provision', 'manner'],
  ['channel', 'kind'],
  ['channel', 'submittedAt'],
] as const;

const STRICT_OBJECT_PATHS = [[], ['applicant'], ['applicant', 'idDocument'], ['contact'], ['requestedItems', 0], ['provision'], ['channel']] as const;

/** Single-line free-text fields and their limits. */
const SINGLE_LINE_TEXT = [
  { path: ['applicant', 'name'], max: APPLICATION_LIMITS.applicantNameLength },
  { path: ['contact', 'postalAddress'], max: APPLICATION_LIMITS.postalAddressLength },
  { path: ['requestedItems', 0, 'title'], max: APPLICATION_LIMITS.itemTitleLength },
  { path: ['requestedItems', 0, 'documentNumber'], max: APPLICATION_LIMITS.itemDocumentNumberLength },
] as const;

const BOUNDED_STRINGS = [
  ...SINGLE_LINE_TEXT,
  { path: ['requestedItems', 0, 'description'], max: APPLICATION_LIMITS.itemDescriptionLength },
  { path: ['contact', 'phone'], max: APPLICATION_LIMITS.phoneLength },
  { path: ['contact', 'email'], max: APPLICATION_LIMITS.emailLength },
  { path: ['contact', 'postcode'], max: APPLICATION_LIMITS.postcodeLength },
  { path: ['agencyCode'], max: APPLICATION_LIMITS.agencyCodeLength },
  { path: ['applicant', 'idDocument', 'number'], max: MAX_ID_NUMBER_LENGTH },
  { path: ['channel', 'submittedAt'], max: APPLICATION_LIMITS.instantLength },
] as const;

/** Valid changes: injections in the free-text fields a page, a letter or an email shows. */
function acceptedChanges(): fc.Arbitrary<((application: Json) => void)[]> {
  const change = fc.oneof(
    injectedValidText(APPLICATION_LIMITS.applicantNameLength).map((text) => (a: Json) => setAt(a, ['applicant', 'name'], text)),
    injectedValidText(APPLICATION_LIMITS.itemTitleLength).map((text) => (a: Json) => setAt(a, ['requestedItems', 0, 'title'], text)),
    injectedValidText(APPLICATION_LIMITS.itemDescriptionLength).map((text) => (a: Json) => setAt(a, ['requestedItems', 0, 'description'], `${text}\n${text}`)),
    injectedValidText(APPLICATION_LIMITS.postalAddressLength).map((text) => (a: Json) => setAt(a, ['contact', 'postalAddress'], text)),
  );
  return fc.array(change, { maxLength: 3 });
}

/** One change the schema must refuse, and what it is (for the failure report); `apply` may answer a replacement. */
export interface Refusal {
  reason: string;
  apply: (application: Json) => unknown;
}

function refusedChange(): fc.Arbitrary<Refusal> {
  const path = <P extends readonly (readonly (string | number)[])[]>(paths: P) => fc.constantFrom(...paths);
  return fc.oneof(
    path(REQUIRED_PATHS).map((p) => ({ reason: `missing ${p.join('.')}`, apply: (a: Json) => deleteAt(a, p) })),
    fc.tuple(path(STRING_PATHS), notAString()).map(([p, value]) => ({ reason: `${p.join('.')} not a string`, apply: (a: Json) => setAt(a, p, value) })),
    fc.tuple(path(STRICT_OBJECT_PATHS.filter((p) => p.length > 0)), notAnObject()).map(([p, value]) => ({ reason: `${p.join('.')} not an object`, apply: (a: Json) => setAt(a, p, value) })),
    fc
      .tuple(path(STRICT_OBJECT_PATHS), unknownKey(), anyJson())
      .map(([p, key, value]) => ({ reason: `unknown key under ${p.join('.') || '(root)'}`, apply: (a: Json) => setAt(a, [...p, key], value) })),
    fc
      .tuple(fc.constantFrom(...BOUNDED_STRINGS), fc.integer({ min: 1, max: 5_000 }), fc.constantFrom('a', '张', '1', ' '))
      .map(([field, extra, c]) => ({ reason: `${field.path.join('.')} over ${field.max}`, apply: (a: Json) => setAt(a, field.path, c.repeat(field.max + extra)) })),
    fc
      .tuple(fc.constantFrom(...SINGLE_LINE_TEXT), fc.constantFrom(...CONTROL_CHARACTERS), injection())
      .map(([field, control, text]) => ({ reason: `control character in ${field.path.join('.')}`, apply: (a: Json) => setAt(a, field.path, `张${control}${text}`.slice(0, field.max)) })),
    fc
      .tuple(fc.constantFrom(...HARD_CONTROL_CHARACTERS), injection())
      .map(([control, text]) => ({ reason: 'control character in requestedItems.0.description', apply: (a: Json) => setAt(a, ['requestedItems', 0, 'description'], `描述${control}${text}`) })),
    fc.oneof(residentIdWithWrongCheck(), malformedResidentId()).map((number) => ({ reason: 'resident ID number invalid', apply: (a: Json) => setAt(a, ['applicant', 'idDocument', 'number'], number) })),
    usccWithWrongCheck().map((number) => ({
      reason: 'organisation with a wrong USCC check character',
      apply: (a: Json) => setAt(a, ['applicant'], { type: 'organisation', organisationType: 'commercial-enterprise', name: '某公司', idDocument: { kind: 'unified-social-credit-code', number } }),
    })),
    fc
      .tuple(fc.constantFrom(['applicant', 'type'], ['applicant', 'idDocument', 'kind'], ['provision', 'form'], ['provision', 'manner'], ['channel', 'kind']), fc.oneof(injection(), fc.string({ maxLength: 30 })))
      .filter(([, value]) => !['natural-person', 'organisation', 'resident-id-card', 'unified-social-credit-code', 'passport', 'other', 'paper', 'electronic', 'inspection', 'post', 'email', 'fax', 'online', 'collect', 'on-site', 'in-person', 'registered-post', 'ordinary-mail', 'internet', 'oral'].includes(value))
      .map(([p, value]) => ({ reason: `${p.join('.')} not one of its values`, apply: (a: Json) => setAt(a, p, value) })),
    fc
      .constantFrom('', 'yesterday', '2026-11-27', '2026-11-27 10:15', '2026-02-30T10:00:00+08:00', '1999-12-31T10:00:00+08:00', '2100-01-01T00:00:00+08:00', '2026-11-27T25:00:00+08:00', '2026-11-27T10:15:00')
      .map((instant) => ({ reason: `channel.submittedAt ${instant || 'empty'}`, apply: (a: Json) => setAt(a, ['channel', 'submittedAt'], instant) })),
    fc.constant({ reason: 'no requested item', apply: (a: Json) => setAt(a, ['requestedItems'], []) }),
    fc.constant({ reason: 'an empty requested item', apply: (a: Json) => setAt(a, ['requestedItems', 0], {}) }),
    fc.integer({ min: APPLICATION_LIMITS.requestedItems + 1, max: 400 }).map((n) => ({ reason: `${n} requested items`, apply: (a: Json) => setAt(a, ['requestedItems'], Array.from({ length: n }, () => ({ title: '某文件' }))) })),
    fc.constant({ reason: 'no way to contact the applicant', apply: (a: Json) => setAt(a, ['contact'], {}) }),
    fc.constant({ reason: 'paper by email', apply: (a: Json) => setAt(a, ['provision'], { form: 'paper', manner: 'email' }) }),
    fc.constant({ reason: 'email without an address', apply: (a: Json) => setAt(a, ['provision'], { form: 'electronic', manner: 'email' }) }),
    fc.oneof(injection(), fc.constantFrom('not-an-email', 'a@', '@b.cn', 'a b@c.cn')).map((email) => ({ reason: 'email malformed', apply: (a: Json) => setAt(a, ['contact', 'email'], email) })),
    fc.oneof(injection(), fc.constantFrom('phone', '123', '+86 abc 1234567')).map((phone) => ({ reason: 'phone malformed', apply: (a: Json) => setAt(a, ['contact', 'phone'], phone) })),
    fc.constantFrom('LYG ZRZY', 'lyg-zrzy;--', '-LYG', 'NOT-CONFIGURED').map((code) => ({ reason: `agencyCode ${code}`, apply: (a: Json) => setAt(a, ['agencyCode'], code) })),
    notAnObject().map((value) => ({ reason: 'not an object', apply: () => value })),
  );
}

/** An application refused for `reason`, built from `base` (which must be valid). */
export function refusedApplication(base: Json): fc.Arbitrary<{ application: unknown; reason: string }> {
  return fc.tuple(acceptedChanges(), refusedChange()).map(([accepted, refusal]) => {
    const application = clone(base);
    for (const change of accepted) change(application);
    const replacement = refusal.apply(application);
    return { application: replacement === undefined ? application : replacement, reason: refusal.reason };
  });
}

/** An application accepted as it is: the base with injections in its free-text fields. */
export function injectedApplication(base: Json): fc.Arbitrary<Json> {
  return acceptedChanges().map((changes) => {
    const application = clone(base);
    for (const change of changes) change(application);
    return application;
  });
}

/** `text` percent-encoded byte by byte as UTF-8 (a lone surrogate becomes U+FFFD), unreserved characters as they are. */
export const percentEncode = (text: string): string => [...Buffer.from(text, 'utf8')].map((byte) => (/[A-Za-z0-9._~-]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)).join('');

/** A string URL-encoded for a path segment (which may still be anything once decoded). */
export const pathSegment = (): fc.Arbitrary<string> => hostileText({ maxLength: 120 }).map(percentEncode);
