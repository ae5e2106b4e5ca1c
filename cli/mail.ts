import { join } from 'node:path';
import { Command } from '@commander-js/extra-typings';
import { beijingDateTimeOf } from '../domain/dates';
import { loadConfig } from '../workers/load-config';
import { type CapturedMailEntry, mailCaptureDirectory, readMailIndex } from '../workers/mail-capture';
import { wholeNumberOption } from './options';

// What the local mail capture of `npm start` received: read from its index, no server needed.

const parseLimit = wholeNumberOption(1, 999_999_999, 'a whole number of messages, 1 or more');

const listCommand = new Command('list')
  .description('list the messages the local capture received, oldest first (times in Beijing time)')
  .option('--limit <n>', 'only the latest n messages', parseLimit)
  .option('--json', 'print a JSON array, with Message-IDs and the .eml files')
  .action((opts) => {
    const directory = mailCaptureDirectory(loadConfig().dataDir);
    const { entries, unreadableLines } = readMailIndex(directory);
    if (unreadableLines > 0) console.error(`skipped ${unreadableLines} unreadable line(s) of ${directory}`);
    const shown: CapturedMailEntry[] = opts.limit === undefined ? entries : entries.slice(-opts.limit);
    if (opts.json) {
      console.log(JSON.stringify(shown.map((entry) => ({ ...entry, file: join(directory, entry.file) })), null, 2));
      return;
    }
    if (shown.length === 0) {
      console.error(`no mail in ${directory}`);
      return;
    }
    for (const { receivedAt, to, subject } of shown) {
      console.log(`${beijingDateTimeOf(receivedAt)}  ${to.join(', ')}  ${subject ?? '（无主题）'}`);
    }
  });

/** `gongkai mail`: the local mail capture. */
export const mailCommand = new Command('mail')
  .description(`mail kept by the local capture of 'gongkai start' (under <data dir>/mail)`)
  .addCommand(listCommand);
