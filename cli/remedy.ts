import { randomUUID } from 'node:crypto';
import { Command, InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { REMEDY_RESULTS } from '../domain/annual-report';
import { enterRemedyRecord, RemedyRefusal } from '../workers/remedy-records';
import type { Register } from '../register';
import { actorFor } from '../workers/case-client';
import { loadConfig, type LoadedConfig } from '../workers/load-config';
import { openConfiguredRegister } from '../workers/open-register';

// `gongkai remedy`: review and suit records on closed cases (workers/remedy-records.ts).

const parseDate = (value: string): string => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new InvalidArgumentError('expected YYYY-MM-DD');
  return value;
};

async function withRegister<T>(work: (config: LoadedConfig, register: Register) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const register = await openConfiguredRegister(config);
  try {
    return await work(config, register);
  } finally {
    await register.close();
  }
}

const addCommand = new Command('add')
  .description('enter a review (行政复议) or suit (行政诉讼) record on a closed case, for table 四 of the annual report')
  .argument('<case>', 'case number')
  .addOption(new Option('--kind <kind>', 'review or suit').choices(['review', 'suit'] as const).makeOptionMandatory())
  .option('--after-review', 'a suit brought after a review decision (复议后起诉)')
  .requiredOption('--filed <date>', 'date filed, YYYY-MM-DD', parseDate)
  .addOption(new Option('--result <result>', 'the result, or pending').choices(REMEDY_RESULTS).makeOptionMandatory())
  .option('--decided <date>', 'date decided, YYYY-MM-DD (not with --result pending)', parseDate)
  .option('--record-id <id>', 'update this record instead of adding one')
  .requiredOption('--as <user>', 'the entering staff user id, from the configuration')
  .action(async (caseNumber, opts) => {
    await withRegister(async (config, register) => {
      const actor = actorFor(config, opts.as, '--as');
      const recordId = opts.recordId ?? randomUUID();
      try {
        await enterRemedyRecord({ config, register }, actor, caseNumber, {
          recordId,
          kind: opts.kind,
          afterReview: opts.afterReview ?? false,
          filedOn: opts.filed,
          result: opts.result,
          decidedOn: opts.decided ?? null,
        });
      } catch (err) {
        if (err instanceof RemedyRefusal) throw new Error(`refused (${err.code}): ${err.message}`, { cause: err });
        throw err;
      }
      console.log(`${caseNumber}: saved ${opts.kind} record ${recordId}`);
    });
  });

const listRemedies = new Command('list')
  .description('list the review and suit records of a case')
  .argument('<case>', 'case number')
  .option('--json', 'print JSON')
  .action(async (caseNumber, opts) => {
    await withRegister(async (_config, register) => {
      if (!(await register.readCase(caseNumber))) throw new Error(`no case ${caseNumber}`);
      const rows = await register.remedyRecords(caseNumber);
      if (opts.json) {
        console.log(JSON.stringify(rows, null, 2));
        return;
      }
      if (rows.length === 0) console.log(`${caseNumber}: no review or suit records`);
      for (const r of rows) {
        const kind = r.kind === 'suit' ? (r.after_review ? 'suit after review' : 'suit') : 'review';
        console.log(`${r.record_id}  ${kind}  filed ${r.filed_on}  ${r.result}${r.decided_on ? ` ${r.decided_on}` : ''}  (${r.entered_by})`);
      }
    });
  });

/** `gongkai remedy add|list`. */
export const remedyCommand = new Command('remedy').description('review and suit records on closed cases (annual report table 四)').addCommand(addCommand).addCommand(listRemedies);
