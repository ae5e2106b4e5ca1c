import { Command, InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { type ClockEvent, computeClock, DEFAULT_CLOCK_RULES } from '../domain/clock';
import { type IsoDate, isIsoDate, withWeekday, yearOf } from '../domain/dates';
import { loadCalendarDir } from '../workers/calendar-files';

function parseDate(value: string): IsoDate {
  if (!isIsoDate(value)) throw new InvalidArgumentError('expected a date YYYY-MM-DD');
  return value;
}

function collectPause(value: string, previous: { from: IsoDate; to: IsoDate }[]): { from: IsoDate; to: IsoDate }[] {
  const [from = '', to = '', ...rest] = value.split(':');
  if (rest.length || !isIsoDate(from) || !isIsoDate(to)) throw new InvalidArgumentError('expected FROM:TO, two dates YYYY-MM-DD');
  if (to < from) throw new InvalidArgumentError('the pause ends before it starts');
  return [...previous, { from, to }];
}

/** `gongkai deadline`: the statutory clock for a what-if, from the shipped calendar; no server needed. */
export const deadlineCommand = new Command('deadline')
  .description('print the 补正 notice deadline, the reply deadline and the latest extended deadline, with the explanation')
  .requiredOption('--received <date>', 'receipt date T0 (YYYY-MM-DD)', parseDate)
  .option('--corrected <date>', 'day the corrected application arrived (the reply period restarts)', parseDate)
  .addOption(new Option('--pause <from:to>', 'consultation pause, both days included (repeatable)').argParser(collectPause).default([]))
  .option('--calendar-dir <dir>', 'folder of cn-YYYY.json holiday notices (default: the shipped ones)')
  .option('--json', 'print one JSON object')
  .action((opts, command) => {
    if (opts.corrected && opts.corrected < opts.received) command.error("error: option '--corrected <date>' is before --received");
    for (const pause of opts.pause) {
      if (pause.from < opts.received) command.error(`error: option '--pause <from:to>' ${pause.from} is before --received`);
    }
    const events: ClockEvent[] = [{ type: 'received', on: opts.received }];
    if (opts.corrected) {
      events.push({ type: 'correction-requested', on: opts.corrected }, { type: 'correction-received', on: opts.corrected });
    }
    for (const pause of opts.pause) events.push({ type: 'pause', from: pause.from, to: pause.to, reason: '征求意见（暂停计算）' });

    const clock = computeClock(DEFAULT_CLOCK_RULES, loadCalendarDir(opts.calendarDir), events);
    if (opts.json) {
      const { receivedOn, correctionNoticeDue, replyDue, replyDueExtended, provisional, provisionalYears, calendarVersion, explanation } = clock;
      console.log(JSON.stringify({ receivedOn, correctionNoticeDue, replyDue, replyDueExtended, provisional, provisionalYears, calendarVersion, explanation }, null, 2));
      return;
    }
    const show = (date: IsoDate | null): string =>
      date ? withWeekday(date) + (clock.provisionalYears.includes(yearOf(date)) ? '（临时 provisional）' : '') : '—';
    console.log(`收到申请之日 received      ${show(clock.receivedOn)}`);
    console.log(`补正告知期限 correction   ${show(clock.correctionNoticeDue)}`);
    console.log(`答复期限     reply        ${show(clock.replyDue)}`);
    console.log(`最长延期期限 extended     ${show(clock.replyDueExtended)}`);
    if (clock.provisional) console.log(`临时结果 provisional: ${clock.provisionalYears.join(', ')} 年节假日安排未载入`);
    console.log('');
    for (const line of clock.explanation) console.log(line);
  });
