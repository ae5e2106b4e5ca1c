import { ActivityFailure, allHandlersFinished, condition, continueAsNew, log, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { LetterActivities } from '../../activities/letters';
import type { RequestActivities } from '../../activities/request-activities';
import { documentNumberSeries, type NumberedDocumentType } from '../../domain/gongkai-config';
import { addresseeOf, isNumberedLetterType, type LetterType } from '../../domain/letters';
import { CaseFile } from './case-file';
import { LetterMail } from './letter-mail';
import { actUpdate, applicationQuery, caseViewQuery, type PendingDelivery, type PendingDeliveryFailure, reloadCalendarSignal, type RequestWorkflowInput } from './messages';
import { issueReceipt } from './notices';
import { ReminderDispatcher } from './reminders';

// Every activity heartbeats while it runs (activities/heartbeat.ts): a worker dying mid-activity costs the heartbeat
// timeout, not the start-to-close timeout, before another worker retries. 15 s covers a synchronous SQLite busy wait.
const HEARTBEAT_TIMEOUT = '15 seconds';

const { loadCalendar, findEarlierCases, recordCaseEvent, archiveCase, allocateDocumentNumber } = proxyActivities<RequestActivities>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

// Rendering embeds a CJK font subset: give it longer than the register writes.
const { produceReplyLetter, produceNoticeLetter, deliverLetterByEmail, recordLetterDelivery, recordLetterDeliveryFailed } = proxyActivities<LetterActivities>({
  startToCloseTimeout: '3 minutes',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/** Continue-as-new well before Temporal's 10k-event warning; the server's own suggestion also counts. */
const DEFAULT_CONTINUE_AS_NEW_AFTER = 4_000;

/**
 * One request for disclosure, from registration to archive. People act through the `act` update; deadlines
 * come from the statutory clock over the calendar kept in state; the register follows every change.
 */
export async function requestWorkflow(input: RequestWorkflowInput): Promise<string> {
  const file = new CaseFile(input);
  // Handlers first, before any await, so that no early update or query finds the workflow without them.
  setHandler(
    actUpdate,
    async (request) => {
      if (!file.ready) await condition(() => file.ready);
      return file.apply(request);
    },
    { validator: (request) => void (file.alreadyApplied() || file.validate(request)) },
  );
  // Cases started before letters were rendered go on without them until they continue as new.
  file.lettersEnabled = patched('reply-letters');
  // Cases started before acts issued their notices (and emails left the loop) go on without until they continue as new.
  file.noticesEnabled = patched('notice-letters');
  setHandler(caseViewQuery, () => file.view());
  setHandler(applicationQuery, () => input.application);
  setHandler(reloadCalendarSignal, () => {
    file.calendarReloadRequested = true;
  });
  if (!file.ready) {
    const calendar = await loadCalendar();
    // Cases started before repeat requests were recognised did not look up the applicant's earlier cases.
    if (patched('find-earlier-cases')) file.earlierCases = await findEarlierCases(input.caseNumber);
    file.replaceCalendar(calendar); // ready: acts waiting for the case's start go ahead now
  } else {
    file.changed();
  }
  if (!input.carried) {
    file.outbox.push({ caseNumber: file.caseNumber, eventKey: `${file.caseNumber}:clock`, at: input.registeredAt, actorId: 'system', action: 'compute-deadlines', changes: file.registerFields() });
    issueReceipt(file, input.registeredAt);
  }

  // Cases started before reminders existed go on without them until they continue as new.
  const reminders = patched('reminders') ? new ReminderDispatcher(file, input.carried?.reminders) : undefined;
  const mail = file.noticesEnabled ? new LetterMail(file) : undefined;
  const continueAfter = input.continueAsNewAfterEvents ?? DEFAULT_CONTINUE_AS_NEW_AFTER;
  for (;;) {
    await syncRegister(file, mail);
    if (file.stage === 'archived') break;
    if (file.calendarReloadRequested) {
      file.calendarReloadRequested = false;
      file.replaceCalendar(await loadCalendar());
      continue;
    }
    if (workflowInfo().continueAsNewSuggested || file.historyLength() >= continueAfter) {
      await condition(allHandlersFinished);
      await reminders?.settle();
      await syncRegister(file, mail);
      await mail?.settle();
      const carried = file.carried();
      // Letters still being emailed are started again by the next run (the ledger sends each once).
      if (mail) carried.pendingDeliveries = [...mail.carried(), ...(carried.pendingDeliveries ?? [])];
      await continueAsNew<typeof requestWorkflow>({ ...input, carried: { ...carried, ...(reminders ? { reminders: reminders.carried() } : {}) } });
    }
    reminders?.dispatchDue(Date.now());
    await waitForChangeOrDeadline(file, reminders);
  }
  await condition(allHandlersFinished);
  await reminders?.settle();
  await mail?.drain();
  return file.stage;
}

/** Sleeps until something changes, the nearest deadline's day ends (then the next one takes over) or a reminder is due. */
async function waitForChangeOrDeadline(file: CaseFile, reminders: ReminderDispatcher | undefined): Promise<void> {
  const version = file.version;
  const now = Date.now();
  const wakeTimes = [file.nextWakeUpMs(now), reminders?.nextSendAtMs(now)].filter((ms) => ms !== undefined);
  const wakeAt = wakeTimes.length ? Math.min(...wakeTimes) : undefined;
  const woken = () => file.version !== version || file.outbox.length > 0 || file.pendingNumbers.length > 0 || file.pendingDeliveries.length > 0 || file.pendingNotices.length > 0 || file.calendarReloadRequested;
  if (wakeAt === undefined) {
    await condition(woken);
    return;
  }
  const changed = await condition(woken, Math.max(wakeAt - Date.now(), 1));
  if (!changed) file.changed(); // a deadline passed: the next one becomes the one to watch
}

/**
 * Writes pending changes to the register, in order; archiving also stores the case file. With letters (patch
 * `reply-letters`), numbers — and the letters they complete — and deliveries go before each next register event, so
 * that an archive recorded moments after a sign-off still finds the reply numbered, stored and delivered. Runs
 * without the patch keep their old order (and their awaits: an extra one would reorder their commands on replay).
 */
async function syncRegister(file: CaseFile, mail: LetterMail | undefined): Promise<void> {
  if (!file.lettersEnabled) {
    while (file.pendingNumbers.length > 0) {
      const { documentId, documentType } = file.pendingNumbers[0]!;
      const { documentNumber } = await allocateDocumentNumber(numberRequest(file, documentId, documentType));
      file.numberDocument(documentId, documentNumber);
      file.pendingNumbers.shift();
    }
    while (file.outbox.length > 0) {
      const { archive, ...event } = file.outbox[0]!;
      if (archive) await archiveCase({ ...event, caseFile: { ...file.view(), application: file.input.application } });
      else await recordCaseEvent(event);
      file.outbox.shift();
    }
    return;
  }
  for (;;) {
    if (file.pendingNumbers.length > 0) {
      await numberNextDocument(file);
    } else if (file.pendingNotices.length > 0) {
      await issueNextNotice(file, mail);
      file.pendingNotices.shift();
    } else if (file.pendingDeliveries.length > 0) {
      await deliver(file, file.pendingDeliveries[0]!, mail);
      file.pendingDeliveries.shift();
    } else if (file.outbox.length > 0) {
      const { archive, ...event } = file.outbox[0]!;
      if (archive) await archiveCase({ ...event, caseFile: { ...file.view(), application: file.input.application } });
      else await recordCaseEvent(event);
      file.outbox.shift();
    } else {
      return;
    }
  }
}

/** What to ask the register for a document's number: its series and format, this year's sequence, once per document id. */
function numberRequest(file: CaseFile, documentId: string, documentType: string): Parameters<typeof allocateDocumentNumber>[0] {
  const { series, format } = documentNumberSeries({ documentNumberFormats: file.input.rules.documentNumberFormats ?? {} }, documentType as NumberedDocumentType);
  return { agencyCode: file.agencyCode, year: Number(file.today().slice(0, 4)), documentType: series, format, key: documentId, at: new Date(Date.now()).toISOString() };
}

/** Allocates the next pending document number (once per document id) and, for a reply, renders the letter. */
async function numberNextDocument(file: CaseFile): Promise<void> {
  const { documentId, documentType } = file.pendingNumbers[0]!;
  const { documentNumber } = await allocateDocumentNumber(numberRequest(file, documentId, documentType));
  file.numberDocument(documentId, documentNumber);
  if (documentId.includes('/reply/')) await produceLetter(file, documentId, documentNumber);
  file.pendingNumbers.shift();
}

/** Renders and stores the numbered reply; the case view lists its formats. A letter not produced is left to staff. */
async function produceLetter(file: CaseFile, documentId: string, documentNumber: string): Promise<void> {
  const document = file.documents.find((d) => d.documentId === documentId);
  const clock = file.clock();
  const result = await produceReplyLetter({
    caseNumber: file.caseNumber,
    agencyCode: file.agencyCode,
    documentId,
    documentType: document?.documentType ?? file.replyDocumentType(),
    documentNumber,
    date: file.decision?.signOff?.signedOn ?? file.today(),
    outcome: file.outcome,
    decision: file.decision,
    receivedOn: clock?.receivedOn ?? null,
    replyDueExtended: clock?.replyDueExtended ?? null,
    clockEvents: file.clockEvents,
    outcomeAct: file.outcomeAct,
    recitedActs: file.recitedActs,
  });
  if (result.status === 'produced') file.recordFormats(documentId, result.formats);
  else log.warn('reply letter not produced', { caseNumber: file.caseNumber, documentId, reason: result.reason });
}

/**
 * Numbers the next notice (the receipt takes none), renders and stores it, and emails it to an applicant who asked
 * for email — when it bears today's date: a notice recorded as sent on an earlier day went out by other means then.
 */
async function issueNextNotice(file: CaseFile, mail: LetterMail | undefined): Promise<void> {
  const notice = file.pendingNotices[0]!;
  const { documentId, documentType } = notice;
  let documentNumber: string | null = null;
  if (isNumberedLetterType(documentType as LetterType)) {
    if (!file.input.rules.documentNumberFormats?.default) {
      file.recordNotProduced(documentId, 'documentNumberFormats.default');
      return;
    }
    documentNumber = (await allocateDocumentNumber(numberRequest(file, documentId, documentType))).documentNumber;
    file.numberDocument(documentId, documentNumber);
  }
  const result = await produceNoticeLetter({ ...notice, caseNumber: file.caseNumber, agencyCode: file.agencyCode, documentNumber });
  if (result.status !== 'produced') {
    log.warn('notice letter not produced', { caseNumber: file.caseNumber, documentId, reason: result.reason });
    file.recordNotProduced(documentId, result.reason);
    return;
  }
  file.recordFormats(documentId, result.formats);
  const emailed = addresseeOf(documentType as LetterType) === 'applicant' && file.input.application.provision.manner === 'email' && notice.date === file.today();
  if (emailed) mail?.send({ documentId, dispatchedOn: notice.date, method: 'email' }, documentNumber);
}

/** Emails the stored letter, or records the date staff entered (交邮, 签收); a letter never stored has nothing to record. */
async function deliver(file: CaseFile, delivery: PendingDelivery | PendingDeliveryFailure, mail: LetterMail | undefined): Promise<void> {
  const document = file.documents.find((d) => d.documentId === delivery.documentId);
  if (!document?.formats?.length) return;
  if ('failedOn' in delivery) {
    await recordLetterDeliveryFailed(delivery);
    return;
  }
  // Emails leave the loop in runs with the `notice-letters` patch; earlier runs send them here, as they did.
  if (delivery.method === 'email' && mail) {
    mail.send(delivery, document.documentNumber, (document.failedDeliveries?.length ?? 0) + 1);
    return;
  }
  try {
    if (delivery.method === 'email') {
      await deliverLetterByEmail({ caseNumber: file.caseNumber, agencyCode: file.agencyCode, documentId: delivery.documentId, documentNumber: document.documentNumber, dispatchedOn: delivery.dispatchedOn });
    } else {
      await recordLetterDelivery({ documentId: delivery.documentId, dispatchedOn: delivery.dispatchedOn, method: delivery.method });
    }
  } catch (err) {
    // A delivery that cannot succeed (not retryable) must not end the case: staff deliver it another way.
    if (!(err instanceof ActivityFailure)) throw err;
    log.warn('letter delivery failed', { caseNumber: file.caseNumber, documentId: delivery.documentId, method: delivery.method });
  }
}
