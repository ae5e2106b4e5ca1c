import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from '@commander-js/extra-typings';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { CASE_NUMBER_PATTERN } from '../domain/numbering';
import { InvalidInputError } from '../domain/validation';
import { actOnCase, actorFor, requireWorker, resolvePayload, withAnswerTimeout } from '../workers/case-client';
import { listOpenCases } from '../workers/case-list';
import { registrationRefused, submitApplication } from '../workers/intake';
import { caseViewQuery, type CaseView } from '../workflows/request/messages';
import { withSession } from './session';
import { wholeNumberOption } from './options';

// Case commands against a running Temporal server: an operator's tool inside the trust boundary.

function readJsonFile(path: string, option: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new InvalidInputError(option, [{ field: option, message: `cannot read JSON from ${path}: ${(err as Error).message.split('\n')[0]}` }]);
  }
}

function printView(view: CaseView): void {
  const lines = [
    `案件编号 case      ${view.caseNumber}（${view.agencyCode}）`,
    `阶段 stage         ${view.stageLabel}（${view.stage}）`,
    `承办人 handler     ${view.handlerId ?? '—'}`,
    `收到申请 received  ${view.receivedOn ?? '待确认'}`,
    `答复期限 reply due ${view.replyDue ?? '—'}${view.provisional ? '（临时 provisional）' : ''}${view.paused ? '（暂停 paused）' : ''}`,
    '',
    ...view.deadlines.map((d) => `  ${d.kind.padEnd(22)} ${d.due}  ${d.status}`),
    '',
    ...view.explanation,
    '',
    ...view.timeline.map((t) => `  ${t.at}  ${t.actorId.padEnd(16)} ${t.label}${t.note ? `：${t.note}` : ''}`),
  ];
  console.log(lines.join('\n'));
}

/** A case number, refused before anything is asked of Temporal (which answers an empty or odd id obscurely). */
const parseCaseNumber = (value: string): string => {
  if (!CASE_NUMBER_PATTERN.test(value)) throw new InvalidArgumentError('expected a case number such as LYG-ZRZY-2026-000001');
  return value;
};

/** The filters the web API takes, refused as it refuses them: a value is never silently rewritten into another. */
const parseUserId = (value: string): string => {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(value)) throw new InvalidArgumentError('expected a user id: 1-64 of A-Z a-z 0-9 . _ -');
  return value;
};
const parseAgencyCode = (value: string): string => {
  if (!/^[A-Z][A-Z0-9-]{1,31}$/.test(value)) throw new InvalidArgumentError('expected an agency code such as LYG-ZRZY');
  return value;
};

const parsePositiveInt = wholeNumberOption(1, 200, 'a whole number of working days, 1-200');

export const submitCommand = new Command('submit')
  .description('register a request from a JSON file ({ submissionId, application }) and start its case; prints the case number')
  .argument('<file>', 'the submission file, e.g. examples/application-in-person.json')
  .requiredOption('--as <user>', 'the registering staff user id (a registrar of the agency), from the configuration')
  .action(async (file, opts) => {
    const submission = readJsonFile(file, 'FILE') as { submissionId?: unknown; application?: unknown };
    await withSession(async ({ client, register, config }) => {
      const actor = actorFor(config, opts.as, '--as');
      const refused = registrationRefused(config, actor, submission?.application);
      if (refused) throw new InvalidInputError('Submission', [{ field: refused.field === 'actor' ? '--as' : refused.field, message: refused.message }]);
      const { caseNumber, created } = await submitApplication(
        { client, register, config },
        // Never coerced: a number or a list is no submission id (String([['abcdefgh']]) would pass as one).
        { submissionId: typeof submission.submissionId === 'string' ? submission.submissionId : '', application: submission.application, registeredBy: opts.as },
      );
      if (!created) console.error(`submission already registered as ${caseNumber}`);
      console.log(caseNumber);
    });
  });

export const showCommand = new Command('show')
  .description('show a case: from its workflow while open, from the register once Temporal no longer has it')
  .argument('<case>', 'case number', parseCaseNumber)
  .option('--json', 'print JSON')
  .action(async (caseNumber, opts) => {
    await withSession(async (session) => {
      const handle = session.client.workflow.getHandle(caseNumber);
      let running = false;
      try {
        running = (await handle.describe()).status.name === 'RUNNING';
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
      if (running) {
        await requireWorker(session.client, session.config.temporal);
        const view = await withAnswerTimeout(session.client, 'the case query', () => handle.query(caseViewQuery));
        if (opts.json) console.log(JSON.stringify(view, null, 2));
        else printView(view);
        return;
      }
      const stored = await session.register.readCase(caseNumber);
      if (!stored) throw new Error(`no case ${caseNumber} in Temporal or the register`);
      // Operators see the register's record, not the applicant's personal data.
      const { caseFile, ...withApplication } = stored;
      const record: Partial<typeof withApplication> = { ...withApplication };
      delete record.application;
      const result = { source: 'register', ...record, caseFile: caseFile ? { ...(caseFile as Record<string, unknown>), application: undefined } : null };
      console.log(opts.json ? JSON.stringify(result, null, 2) : Object.entries(record).filter(([k]) => k !== 'documents').map(([k, v]) => `${k.padEnd(22)} ${v ?? '—'}`).join('\n'));
    });
  });

export const actCommand = new Command('act')
  .description('take an action on a case as a configured user (the workflow decides whether it is allowed)')
  .argument('<case>', 'case number', parseCaseNumber)
  .argument('<action>', 'e.g. assign-handler, record-search, sign-off-reply (see docs/temporal-api.md)')
  .requiredOption('--as <user>', 'the acting staff user id, from the configuration')
  .option('--data <file>', 'the action payload as JSON (examples/actions/<action>.json)')
  .option('--update-id <id>', 'an id for this act (A-Z a-z 0-9 . _ : -): sending it again applies it once', (value: string) => {
    if (!/^[A-Za-z0-9._:-]{1,100}$/.test(value)) throw new InvalidArgumentError('expected 1-100 of A-Z a-z 0-9 . _ : -');
    return value;
  })
  .option('--json', 'print the resulting case view as JSON')
  .action(async (caseNumber, action, opts) => {
    await withSession(async (session) => {
      const actor = actorFor(session.config, opts.as, '--as');
      const data = resolvePayload(session.config, action, opts.data ? readJsonFile(opts.data, '--data') : {});
      await requireWorker(session.client, session.config.temporal);
      // A timeout does not mean the act failed: retrying with the same update id applies it at most once.
      const updateId = opts.updateId ?? randomUUID();
      try {
        const view = await withAnswerTimeout(session.client, `the ${action} update (to retry it safely: --update-id ${updateId})`, () =>
          actOnCase(session.client, caseNumber, { action, actor, data, updateId }),
        );
        if (opts.json) console.log(JSON.stringify(view, null, 2));
        else console.log(`${view.caseNumber}: ${view.stageLabel}（${view.stage}），承办人 ${view.handlerId ?? '—'}，答复期限 ${view.replyDue ?? '—'}`);
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError) {
          const cause = err.cause as { type?: string; message?: string } | undefined;
          throw new Error(`refused (${cause?.type ?? 'failed'}): ${cause?.message ?? err.message}`, { cause: err });
        }
        if (err instanceof WorkflowNotFoundError) throw new Error(`no open case ${caseNumber}`, { cause: err });
        throw err;
      }
    });
  });

export const listCommand = new Command('list')
  .description('list open cases (visibility query)')
  .option('--overdue', 'reply deadline passed')
  .option('--due-within <n>', 'reply due within N working days (not yet overdue)', parsePositiveInt)
  .option('--paused', 'clock paused (consultation)')
  .option('--handler <user>', 'assigned to this handler', parseUserId)
  .option('--agency <code>', 'of this agency', parseAgencyCode)
  .option('--json', 'print JSON')
  .action(async (opts) => {
    await withSession(async ({ client, register }) => {
      const rows = await listOpenCases(client, register, { overdue: opts.overdue, dueWithin: opts.dueWithin, paused: opts.paused, handler: opts.handler, agency: opts.agency });
      if (opts.json) {
        console.log(JSON.stringify(rows, null, 2));
        return;
      }
      for (const r of rows) {
        console.log([r.caseNumber, r.stage, r.handler ?? '—', r.receivedOn ?? '待确认', r.replyDue ?? '—', r.next ? `${r.next} ${r.nextDue}` : ''].map((c) => String(c).padEnd(20)).join(' '));
      }
      console.error(`${rows.length} case(s)`);
    });
  });
