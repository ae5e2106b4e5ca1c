import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { Register } from '../../register';
import { PROJECT_ROOT } from '../../workers/config';
import { filesContaining } from '../helpers/scan-files';
import type { RegisterChildJob } from '../helpers/register-child';
import { type Backend, BACKENDS, createTestStore, randomSubmissionId, TEST_APPLICANT_INDEX_KEY, type TestStore } from '../helpers/register';

const execFileAsync = promisify(execFile);
const NOW = '2026-11-27T09:30:00+08:00';

const application = (name: string, idNumber: string) => ({
  applicant: { type: 'natural-person', name, idDocument: { kind: 'resident-id-card', number: idNumber } },
  requestedItems: [{ title: '2025年度某项目环评批复' }],
});

function caseInput(agencyCode: string, submissionId: string, name = '王小明', idNumber = '11010519491231002X') {
  return {
    agencyCode,
    submissionId,
    registeredAt: NOW,
    registrationYear: 2026,
    receivedOn: '2026-11-27',
    channel: 'in-person',
    applicantColumn: 'natural-person',
    stage: 'registered',
    actorId: 'registrar.li',
    application: application(name, idNumber),
    idDocument: { kind: 'resident-id-card', number: idNumber },
  };
}

/** Runs test/helpers/register-child.ts in a separate Node process (a second worker or web process). */
async function inChildProcess(job: RegisterChildJob): Promise<{ stdout: string; signal: string | null }> {
  const args = ['--require', 'tsx/cjs', join(PROJECT_ROOT, 'test', 'helpers', 'register-child.ts'), JSON.stringify(job)];
  try {
    const { stdout } = await execFileAsync(process.execPath, args, { cwd: PROJECT_ROOT });
    return { stdout, signal: null };
  } catch (err) {
    const { stdout, signal } = err as { stdout: string; signal: string | null };
    if (!signal) throw err;
    return { stdout, signal };
  }
}

const childJob = (store: TestStore, op: RegisterChildJob['op'], keys: string[], documentType = 'reply'): RegisterChildJob => ({
  settings: store.settings,
  applicantIndexKeyHex: TEST_APPLICANT_INDEX_KEY.toString('hex'),
  op,
  agencyCode: 'TEST',
  year: 2026,
  documentType,
  keys,
});

describe.each(BACKENDS)('register on %s', (backend: Backend) => {
  let store: TestStore;
  let register: Register;
  const namesRegistered: string[] = [];
  const caseNumbersRegistered: string[] = [];
  let closed = false;

  beforeAll(async () => {
    store = await createTestStore(backend);
    register = await store.open();
  }, 60_000);

  afterAll(async () => {
    if (!closed) await register?.close();
    await store?.destroy();
  });

  test('migrations are safe to run again', async () => {
    await expect(register.migrate()).resolves.toEqual([]);
  });

  test('a double submit registers one case; later submissions get the next numbers', async () => {
    const submission = randomSubmissionId();
    const first = await register.registerCase(caseInput('LYG-ZFB', submission));
    const again = await register.registerCase(caseInput('LYG-ZFB', submission));
    const next = await register.registerCase(caseInput('LYG-ZFB', randomSubmissionId()));
    const otherAgency = await register.registerCase(caseInput('LYG-SHJ', randomSubmissionId()));

    expect(first).toEqual({ caseNumber: 'LYG-ZFB-2026-000001', created: true, closed: false });
    expect(again).toEqual({ caseNumber: 'LYG-ZFB-2026-000001', created: false, closed: false });
    expect(next.caseNumber).toBe('LYG-ZFB-2026-000002');
    expect(otherAgency.caseNumber).toBe('LYG-SHJ-2026-000001');
    expect((await register.auditTrail(first.caseNumber)).map((e) => e.action)).toEqual(['register']);
  });

  test('the application is stored sealed and reads back whole', async () => {
    const name = `欧阳明${randomSubmissionId().slice(0, 4)}`;
    const { caseNumber } = await register.registerCase(caseInput('LYG-ZRZY', randomSubmissionId(), name, '320102198001010015'));
    const stored = await register.readCase(caseNumber);

    expect(stored).toMatchObject({ case_number: caseNumber, stage: 'registered', received_on: '2026-11-27', application: application(name, '320102198001010015') });
    const raw = await register.store.db.selectFrom('gk_case').select('sealed_application').where('case_number', '=', caseNumber).executeTakeFirstOrThrow();
    expect(Buffer.from(raw.sealed_application).includes(Buffer.from(name))).toBe(false);
    namesRegistered.push(name);
    caseNumbersRegistered.push(caseNumber);
  });

  test('earlier requests of an applicant are found by the HMAC of the ID document, never the number', async () => {
    const idNumber = '44030419900307123x';
    const a = await register.registerCase(caseInput('LYG-ZFB', randomSubmissionId(), '甲', idNumber));
    const b = await register.registerCase(caseInput('LYG-SHJ', randomSubmissionId(), '甲', idNumber.toUpperCase()));

    const found = await register.casesOfApplicant({ kind: 'resident-id-card', number: idNumber.toUpperCase() });
    expect(found.map((c) => c.caseNumber)).toEqual([b.caseNumber, a.caseNumber].sort());
    expect(await register.casesOfApplicant({ kind: 'resident-id-card', number: '440304199003071246' })).toEqual([]);
    const rows = await register.store.db.selectFrom('gk_applicant_index').select('applicant_hmac').execute();
    expect(rows.some((r) => r.applicant_hmac.toUpperCase().includes(idNumber.toUpperCase()))).toBe(false);
  });

  test('events change the register once, with old and new values (due dates included) in the audit trail', async () => {
    const { caseNumber } = await register.registerCase(caseInput('LYG-ZFB', randomSubmissionId()));
    const event = {
      caseNumber,
      eventKey: `${caseNumber}:extension-1`,
      at: '2026-12-10T10:00:00+08:00',
      actorId: 'head.zhao',
      action: 'approve-extension',
      changes: { reply_due: '2027-01-22', stage: 'disclosure-decision' },
    };
    await register.recordCaseEvent({ ...event, eventKey: `${caseNumber}:due-1`, action: 'compute-deadlines', changes: { reply_due: '2026-12-25' } });
    expect(await register.recordCaseEvent(event)).toBe(true);
    expect(await register.recordCaseEvent(event)).toBe(false);

    const trail = await register.auditTrail(caseNumber);
    expect(trail.map((e) => e.action)).toEqual(['register', 'compute-deadlines', 'approve-extension']);
    expect(JSON.parse(trail[2]!.old_values)).toEqual({ reply_due: '2026-12-25', stage: 'registered' });
    expect(JSON.parse(trail[2]!.new_values)).toEqual({ reply_due: '2027-01-22', stage: 'disclosure-decision' });
    expect(await register.readCase(caseNumber)).toMatchObject({ reply_due: '2027-01-22', stage: 'disclosure-decision' });
  });

  test('document numbers: per agency, year and type, in the agency format, the same for a retried key', async () => {
    const allocate = (documentType: string, key: string) =>
      register.allocateDocumentNumber({ agencyCode: 'LYG-ZFB', year: 2026, documentType, format: '连政办依复〔{year}〕{seq}号', key, at: NOW });
    const first = await allocate('reply', 'doc-a');
    const retry = await allocate('reply', 'doc-a');
    const second = await allocate('reply', 'doc-b');
    const otherType = await allocate('correction-notice', 'doc-c');

    expect(first).toMatchObject({ value: 1, documentNumber: '连政办依复〔2026〕1号', created: true });
    expect(retry).toMatchObject({ value: 1, documentNumber: '连政办依复〔2026〕1号', created: false });
    expect(second.documentNumber).toBe('连政办依复〔2026〕2号');
    expect(otherType.value).toBe(1);
  });

  test('documents: stored sealed once, read back, delivery recorded idempotently', async () => {
    const { caseNumber } = await register.registerCase(caseInput('LYG-ZFB', randomSubmissionId()));
    const content = Buffer.from('答复书：王小明同志，您申请公开的信息……');
    const doc = { documentId: `${caseNumber}/reply/1`, caseNumber, documentType: 'reply', documentNumber: `连政办依复〔2026〕${caseNumber.slice(-3)}号`, mediaType: 'application/pdf', content, createdAt: NOW };

    expect((await register.storeDocument(doc)).created).toBe(true);
    expect((await register.storeDocument(doc)).created).toBe(false);
    await expect(register.storeDocument({ ...doc, content: Buffer.from('另一个版本') })).rejects.toThrow('other content');
    expect((await register.readDocument(doc.documentId))?.content.equals(content)).toBe(true);

    const delivery = { documentId: doc.documentId, dispatchedOn: '2026-12-01', method: 'registered-post', deliveredOn: null };
    await register.recordDelivery(delivery);
    await register.recordDelivery({ ...delivery, deliveredOn: '2026-12-03' });
    await expect(register.recordDelivery({ ...delivery, dispatchedOn: '2026-12-02' })).rejects.toThrow('other delivery dates');
    expect((await register.readCase(caseNumber))?.documents).toEqual([
      expect.objectContaining({ document_id: doc.documentId, dispatched_on: '2026-12-01', delivered_on: '2026-12-03' }),
    ]);
  });

  test('a failed delivery lets the next dispatch replace it, once', async () => {
    const { caseNumber } = await register.registerCase(caseInput('LYG-ZFB', randomSubmissionId()));
    const doc = { documentId: `${caseNumber}/reply/1.pdf`, caseNumber, documentType: 'reply', documentNumber: null, mediaType: 'application/pdf', content: Buffer.from('答复书'), createdAt: NOW };
    await register.storeDocument(doc);
    expect(await register.recordDeliveryFailed({ documentId: doc.documentId, failedOn: '2026-12-02' })).toBe(false); // nothing dispatched to fail
    await register.recordDelivery({ documentId: doc.documentId, dispatchedOn: '2026-12-01', method: 'email', deliveredOn: null });
    expect(await register.recordDeliveryFailed({ documentId: doc.documentId, failedOn: '2026-12-02' })).toBe(true);
    expect(await register.recordDeliveryFailed({ documentId: doc.documentId, failedOn: '2026-12-02' })).toBe(true);
    expect((await register.readCase(caseNumber))?.documents).toEqual([expect.objectContaining({ dispatched_on: '2026-12-01', delivery_method: 'email', delivery_failed_on: '2026-12-02' })]);

    await register.recordDelivery({ documentId: doc.documentId, dispatchedOn: '2026-12-03', method: 'post', deliveredOn: null });
    await register.recordDelivery({ documentId: doc.documentId, dispatchedOn: '2026-12-03', method: 'post', deliveredOn: null }); // retried: the same
    expect((await register.readCase(caseNumber))?.documents).toEqual([expect.objectContaining({ dispatched_on: '2026-12-03', delivery_method: 'post', delivery_failed_on: null })]);
    // The failure is settled by the new dispatch: a third one needs another failure first.
    await expect(register.recordDelivery({ documentId: doc.documentId, dispatchedOn: '2026-12-04', method: 'post', deliveredOn: null })).rejects.toThrow('other delivery dates');
  });

  test('email ledger: reserve, send once, never again; a permanent failure is not retried', async () => {
    const email = { key: `k-${randomSubmissionId()}`, caseNumber: null, kind: 'reply-due-5wd', recipient: 'handler@lyg.example.cn', messageId: '<x@gongkai>', at: NOW };
    expect(await register.reserveEmail(email)).toEqual({ decision: 'send', attempts: 1 });
    expect(await register.reserveEmail(email)).toEqual({ decision: 'send', attempts: 2 }); // the first attempt never confirmed
    await register.markEmail(email.key, { status: 'sent', at: NOW });
    expect(await register.reserveEmail(email)).toEqual({ decision: 'already-sent', attempts: 2 });
    await register.markEmail(email.key, { status: 'failed', error: 'late failure' });
    expect((await register.emailLedger()).find((e) => e.email_key === email.key)?.status).toBe('sent');

    const rejected = { ...email, key: `k-${randomSubmissionId()}` };
    await register.reserveEmail(rejected);
    await register.markEmail(rejected.key, { status: 'failed', error: '550 mailbox unavailable' });
    expect(await register.reserveEmail(rejected)).toEqual({ decision: 'failed', attempts: 1 });
  });

  test('archiving, then review and suit records on the closed case only', async () => {
    const { caseNumber } = await register.registerCase(caseInput('LYG-ZFB', randomSubmissionId()));
    const record = { recordId: `r-${caseNumber}`, caseNumber, kind: 'review' as const, afterReview: false, filedOn: '2027-01-10', result: 'pending' as const, decidedOn: null, enteredBy: 'head.zhao', enteredAt: NOW };
    await expect(register.saveRemedyRecord(record)).rejects.toThrow('not closed');

    const archive = { caseNumber, eventKey: `${caseNumber}:archive`, at: NOW, actorId: 'handler.wang', action: 'archive', changes: { stage: 'archived', outcome: 'disclosed', report_row: '三.1', closed_on: '2026-12-05' }, caseFile: { timeline: ['登记', '答复', '归档'] } };
    expect(await register.archiveCase(archive)).toBe(true);
    expect(await register.archiveCase(archive)).toBe(false);
    expect(await register.readCase(caseNumber)).toMatchObject({ closed_on: '2026-12-05', outcome: 'disclosed', caseFile: { timeline: ['登记', '答复', '归档'] } });

    await register.saveRemedyRecord(record);
    await register.saveRemedyRecord({ ...record, result: 'upheld', decidedOn: '2027-03-01' });
    expect(await register.remedyRecords(caseNumber)).toEqual([expect.objectContaining({ record_id: record.recordId, result: 'upheld', decided_on: '2027-03-01', after_review: 0 })]);
  });

  test('holiday notices are stored by year and replaced by a later load of the same year', async () => {
    await register.saveHolidayNotice({ year: 2027, notice: { year: 2027, v: 1 }, digest: 'a', loadedBy: 'admin', loadedAt: NOW });
    await register.saveHolidayNotice({ year: 2027, notice: { year: 2027, v: 2 }, digest: 'b', loadedBy: 'admin', loadedAt: NOW });
    expect(await register.holidayNotices()).toEqual([{ year: 2027, v: 2 }]);
  });

  test('50 document numbers allocated at once from two processes: no gap, no duplicate', async () => {
    const keys = Array.from({ length: 50 }, (_, i) => `concurrent-${i}`);
    const [a, b] = await Promise.all([
      inChildProcess(childJob(store, 'allocate', keys.filter((_, i) => i % 2 === 0), 'concurrency')),
      inChildProcess(childJob(store, 'allocate', keys.filter((_, i) => i % 2 === 1), 'concurrency')),
    ]);
    const values = [...JSON.parse(a.stdout), ...JSON.parse(b.stdout)].map((r: { value: number }) => r.value).sort((x, y) => x - y);
    expect(values).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  }, 120_000);

  test('a crash between allocating a number and storing the document leaves no gap once retried', async () => {
    const { caseNumber } = await register.registerCase(caseInput('TEST', randomSubmissionId()));
    const crashed = await inChildProcess(childJob(store, 'allocate-then-crash', ['crash-doc-1'], 'crash'));
    expect(crashed.signal).toBe('SIGKILL');
    const beforeCrash = JSON.parse(crashed.stdout);

    // The activity is retried: same key, same number; then it stores the document.
    const retried = await register.allocateDocumentNumber({ agencyCode: 'TEST', year: 2026, documentType: 'crash', format: '测政公开〔{year}〕{seq}号', key: 'crash-doc-1', at: NOW });
    expect(retried).toMatchObject({ value: beforeCrash.value, documentNumber: beforeCrash.documentNumber, created: false });
    await register.storeDocument({ documentId: 'crash-doc-1', caseNumber, documentType: 'crash', documentNumber: retried.documentNumber, mediaType: 'application/pdf', content: Buffer.from('x'), createdAt: NOW });
    const next = await register.allocateDocumentNumber({ agencyCode: 'TEST', year: 2026, documentType: 'crash', format: '测政公开〔{year}〕{seq}号', key: 'crash-doc-2', at: NOW });
    expect([beforeCrash.value, next.value]).toEqual([1, 2]);
  }, 120_000);

  // Last, because reading an open SQLite file with plain file I/O would drop this process's SQLite locks
  // (POSIX locks are per process and released by any close()): backups must use SQLite's backup API.
  test('once closed, the database files hold no applicant name in plain text', async () => {
    expect(namesRegistered.length).toBeGreaterThan(0);
    await register.close();
    closed = true;
    if (backend === 'sqlite') {
      const dir = dirname(store.settings.sqliteFile);
      expect(filesContaining(dir, caseNumbersRegistered[0]!).length).toBeGreaterThan(0); // the scan does read the data
      for (const name of namesRegistered) expect(filesContaining(dir, name)).toEqual([]);
    }
  });
});

test('migrations from two processes starting at once on a fresh database', async () => {
  for (const backend of BACKENDS) {
    const store = await createTestStore(backend);
    try {
      const results = await Promise.all([inChildProcess(childJob(store, 'allocate', ['m-1'])), inChildProcess(childJob(store, 'allocate', ['m-2']))]);
      const values = results.flatMap((r) => JSON.parse(r.stdout) as { value: number }[]).map((r) => r.value).sort();
      expect(values).toEqual([1, 2]);
    } finally {
      await store.destroy();
    }
  }
}, 120_000);
