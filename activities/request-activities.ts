import { effectiveCalendar, type HolidayNotice, holidayNoticeSchema, type WorkingDayCalendar } from '../domain/calendar';
import type { Register } from '../register';
import type { CaseEventInput } from '../register/register';

export interface RequestActivitiesDeps {
  register: Pick<Register, 'recordCaseEvent' | 'archiveCase' | 'holidayNotices' | 'earlierCasesOfSameApplicant' | 'allocateDocumentNumber'>;
  /** The holiday notices shipped with gongkai (config/calendar); the register's loaded notices override them per year. */
  shippedNotices: () => HolidayNotice[];
}

/** The request workflow's side effects: thin I/O over the register; every one idempotent by its key. */
export function createRequestActivities({ register, shippedNotices }: RequestActivitiesDeps) {
  return {
    async loadCalendar(): Promise<WorkingDayCalendar> {
      const loaded = (await register.holidayNotices()).map((stored) => holidayNoticeSchema.parse(stored));
      return effectiveCalendar(shippedNotices(), loaded);
    },

    /** Earlier requests of the same applicant, by the applicant index (case numbers only). */
    async findEarlierCases(caseNumber: string): Promise<string[]> {
      return register.earlierCasesOfSameApplicant(caseNumber);
    },

    async recordCaseEvent(event: CaseEventInput): Promise<void> {
      await register.recordCaseEvent(event);
    },

    /** A document number (文号), once per document id: a retry after a crash gets the same number. */
    async allocateDocumentNumber(input: Parameters<Register['allocateDocumentNumber']>[0]): Promise<{ documentNumber: string }> {
      const { documentNumber } = await register.allocateDocumentNumber(input);
      return { documentNumber };
    },

    async archiveCase(input: CaseEventInput & { caseFile: unknown }): Promise<void> {
      await register.archiveCase(input);
    },
  };
}

export type RequestActivities = ReturnType<typeof createRequestActivities>;
