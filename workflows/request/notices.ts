import type { ActionPayload, SupportedAction } from '../../domain/case-actions';
import { type IsoDate } from '../../domain/dates';
import { noticeDateOf, noticesOf, type NoticeLetterType } from '../../domain/letters';
import type { CaseFile } from './case-file';
import type { PendingNotice } from './messages';

// The procedural letters a case issues (domain/letters `noticesOf`): listed on the case the moment the act is
// applied, then numbered, rendered, stored and delivered by the main loop, like the signed reply.

/** Lists the letter on the case and queues it for the main loop. */
function queueNotice(file: CaseFile, type: NoticeLetterType, at: string, notice: Omit<PendingNotice, 'documentId' | 'documentType' | 'receivedOn'>): void {
  const sequence = file.documents.filter((d) => d.documentType === type).length + 1;
  const documentId = `${file.caseNumber}/${type}/${sequence}`;
  file.documents = [...file.documents, { documentId, documentType: type, documentNumber: null, createdAt: at }];
  file.pendingNotices.push({ documentId, documentType: type, receivedOn: file.clock()?.receivedOn ?? null, ...notice });
}

/** The 接收回执, once the receipt date is known (at registration, or when the applicant confirms it). */
export function issueReceipt(file: CaseFile, at: string): void {
  const replyDue = file.clock()?.replyDue;
  if (!file.noticesEnabled || !replyDue) return;
  queueNotice(file, 'receipt', at, { date: file.today(), dueOn: replyDue });
}

/** The letters an applied act issues, each bearing the act's date. Call after the act changed the case. */
export function issueNotices(file: CaseFile, action: SupportedAction, payload: ActionPayload<SupportedAction>, at: string): void {
  if (!file.noticesEnabled) return;
  if (action === 'confirm-receipt') issueReceipt(file, at);
  const date: IsoDate = noticeDateOf(action, payload) ?? file.today();
  const act = { action, payload };
  for (const type of noticesOf(action, payload)) {
    if (type === 'extension-notice') {
      const dueOn = file.clock()?.replyDueExtended;
      queueNotice(file, type, at, { date, act, ...(dueOn ? { dueOn } : {}) });
    } else if (type === 'third-party-disclosure-notice') {
      const consultation = file.consultations[(payload as ActionPayload<'notify-third-party-of-disclosure'>).consultationId];
      queueNotice(file, type, at, {
        date,
        act,
        ...(consultation?.letterAct ? { consultation: consultation.letterAct } : {}),
        ...(consultation?.opinionAct ? { opinion: consultation.opinionAct } : {}),
      });
    } else {
      queueNotice(file, type, at, { date, act });
    }
  }
}
