import { ACTION_PAYLOAD_SCHEMAS, LETTER_FIELDS_OF_ACT, missingLetterFields, SUPPORTED_ACTIONS } from '../../domain/case-actions';
import { NUMBERED_DOCUMENT_TYPES } from '../../domain/gongkai-config';
import { addresseeOf, isNumberedLetterType, isReplyLetterType, LETTER_TYPES, noticeDateOf, noticesOf } from '../../domain/letters';

// Which act issues which procedural letter, the date it bears, whom it is addressed to, and the facts the act must
// carry for it — the rules the workflow, the web app's forms and the CLI share.

describe('the letters an act issues', () => {
  test.each([
    ['request-correction', {}, ['correction-notice']],
    ['request-reasons', {}, ['reasons-request']],
    ['approve-extension', { decision: 'approve' }, ['extension-notice']],
    ['approve-extension', { decision: 'refuse' }, []],
    ['start-third-party-consultation', {}, ['third-party-consultation', 'consultation-notice']],
    ['start-co-maker-consultation', {}, ['co-maker-consultation', 'consultation-notice']],
    ['notify-third-party-of-disclosure', {}, ['third-party-disclosure-notice']],
    ['send-fee-notice', {}, ['fee-notice']],
    ['record-search', { result: 'found' }, []],
    ['sign-off-reply', {}, []],
  ] as const)('%s %j → %j', (action, payload, letters) => {
    expect(noticesOf(action, payload)).toEqual(letters);
  });

  test('every procedural letter but the receipt is issued by some act; no act issues a reply', () => {
    const issued = new Set(SUPPORTED_ACTIONS.flatMap((action) => noticesOf(action, { decision: 'approve' })));
    expect([...issued, 'receipt'].sort()).toEqual(LETTER_TYPES.filter((type) => !isReplyLetterType(type)).sort());
  });

  test('each bears the date of its act', () => {
    expect(noticeDateOf('request-correction', { sentOn: '2027-02-01' })).toBe('2027-02-01');
    expect(noticeDateOf('start-co-maker-consultation', { letterSentOn: '2027-02-02' })).toBe('2027-02-02');
    expect(noticeDateOf('approve-extension', { decision: 'approve', approvedOn: '2027-02-03', reason: 'x' })).toBe('2027-02-03');
    expect(noticeDateOf('record-search', { result: 'found' })).toBeUndefined();
  });

  test('letters to the consultees are not addressed to the applicant; replies are', () => {
    expect(LETTER_TYPES.filter((type) => addresseeOf(type) !== 'applicant')).toEqual(['third-party-disclosure-notice', 'third-party-consultation', 'co-maker-consultation']);
    expect(addresseeOf('partial-disclosure')).toBe('applicant');
  });

  test('every numbered letter can have its own number series; the receipt is not numbered', () => {
    const numbered = LETTER_TYPES.filter(isNumberedLetterType);
    expect(numbered.filter((type) => !(NUMBERED_DOCUMENT_TYPES as readonly string[]).includes(type))).toEqual([]);
    expect(LETTER_TYPES.filter((type) => !isNumberedLetterType(type))).toEqual(['receipt']);
  });
});

describe('the facts an act must carry for its letter', () => {
  test('named when absent, and only for acts that issue a letter', () => {
    expect(missingLetterFields('start-third-party-consultation', { consultationId: 'a', letterSentOn: '2027-02-01', about: 'x', consulteeName: '某公司' })).toEqual(['consulteeType', 'interest']);
    expect(missingLetterFields('start-co-maker-consultation', { consultationId: 'a', letterSentOn: '2027-02-01', about: 'x' })).toEqual(['consulteeName']);
    expect(missingLetterFields('send-fee-notice', { sentOn: '2027-02-01', amountYuan: 1, paymentDueOn: '2027-02-10', calculation: 'x', paymentMethod: 'y' })).toEqual([]);
    expect(missingLetterFields('record-search', {})).toEqual([]);
  });

  test('each field named is a field of the act’s payload, and the act issues a letter', () => {
    for (const [action, fields] of Object.entries(LETTER_FIELDS_OF_ACT) as [keyof typeof ACTION_PAYLOAD_SCHEMAS, readonly string[]][]) {
      expect(noticesOf(action, { decision: 'approve' }).length).toBeGreaterThan(0);
      const shape = (ACTION_PAYLOAD_SCHEMAS[action] as unknown as { shape: Record<string, unknown> }).shape;
      expect(fields.filter((field) => !(field in shape))).toEqual([]);
    }
  });
});
