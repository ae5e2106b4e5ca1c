import { writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { DEFAULT_REMEDY_YEAR_BASIS, DEFAULT_RESULT_DATE_BASIS, REMEDY_YEAR_BASES, RESULT_DATE_BASES } from '../domain/annual-report';
import { InvalidInputError } from '../domain/validation';
import { buildAnnualReport, renderAnnualReport, REPORT_FORMATS, type ReportFormat } from '../workers/annual-report-output';
import { loadConfig } from '../workers/load-config';
import { openConfiguredRegister } from '../workers/open-register';

// `gongkai report annual`: tables 三 and 四 of the annual report (workers/annual-report-output.ts).

const parseYear = (value: string): number => {
  const year = Number(value);
  if (!/^\d{4}$/.test(value) || year < 2008 || year > 2100) throw new InvalidArgumentError('expected a calendar year, 2008-2100');
  return year;
};

const annualCommand = new Command('annual')
  .description('tables 三 and 四 of the annual report (国办公开办函〔2021〕30号) for a year, from the register')
  .requiredOption('--year <year>', 'the calendar year reported on', parseYear)
  .option('--agency <code>', 'one agency (default: all agencies together)')
  .addOption(new Option('--format <format>', 'output format').choices(REPORT_FORMATS).default('csv' as ReportFormat))
  .option('--out <file>', 'write to this file instead of standard output (required for xlsx)')
  .addOption(
    new Option('--result-date <basis>', 'which date counts a result in 三: the reply dispatch, else the archive date; or the archive date only')
      .choices(RESULT_DATE_BASES)
      .default(DEFAULT_RESULT_DATE_BASIS),
  )
  .addOption(
    new Option('--remedy-year <basis>', 'which review and suit records 四 counts: filed in the year, or decided in it (plus pending)')
      .choices(REMEDY_YEAR_BASES)
      .default(DEFAULT_REMEDY_YEAR_BASIS),
  )
  .action(async (opts) => {
    if (opts.format === 'xlsx' && opts.out === undefined) {
      throw new InvalidInputError('Annual report', [{ field: '--out', message: 'XLSX is written to a file: give --out FILE' }]);
    }
    const config = loadConfig();
    const register = await openConfiguredRegister(config);
    try {
      const report = await buildAnnualReport(register, {
        year: opts.year,
        agencyCode: opts.agency ?? null,
        knownAgencies: config.agencies.map((a) => a.code),
        resultDateBasis: opts.resultDate,
        remedyYearBasis: opts.remedyYear,
      });
      const content = await renderAnnualReport(report, opts.format);
      if (opts.out === undefined) {
        process.stdout.write(content);
        return;
      }
      writeFileSync(opts.out, content);
      console.log(`wrote the ${report.year} annual report (${report.agencyCode ?? 'all agencies'}, ${opts.format}) to ${opts.out}`);
    } finally {
      await register.close();
    }
  });

/** `gongkai report annual`. */
export const reportCommand = new Command('report').description('reports from the register').addCommand(annualCommand);
