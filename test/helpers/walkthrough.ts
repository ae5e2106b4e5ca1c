import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IsoDate } from '../../domain/dates';
import { PROJECT_ROOT } from '../../workers/config';

// The README's walkthrough (examples/walkthrough/NN-<action>.json): who takes each act, and its data.

const ACTORS: [userId: string, file: string][] = [
  ['zrzy.head', '01-assign-handler'],
  ['zrzy.handler1', '02-record-completeness-finding'],
  ['zrzy.handler1', '03-decide-scope'],
  ['zrzy.handler1', '04-record-search'],
  ['zrzy.handler1', '05-start-third-party-consultation'],
  ['zrzy.handler1', '06-record-third-party-opinion'],
  ['zrzy.handler1', '07-record-item-decision'],
  ['zrzy.handler1', '08-conclude-disclosure-decision'],
  ['zrzy.handler1', '09-draft-reply'],
  ['zrzy.reviewer', '10-review-reply'],
  ['zrzy.head', '11-sign-off-reply'],
  ['zrzy.handler1', '12-record-dispatch'],
  ['zrzy.handler1', '13-archive-case'],
];

export interface WalkthroughStep {
  userId: string;
  action: string;
  file: string;
  data: Record<string, unknown>;
}

/** An act's data as the example file gives it. */
export const walkthroughPayload = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(PROJECT_ROOT, 'examples', 'walkthrough', `${file}.json`), 'utf8'));

/**
 * The walkthrough's acts in order. With `dispatchedOn`, the dispatch is dated that day: the sign-off is dated the day
 * it runs, and a dispatch cannot precede it.
 */
export function walkthroughSteps(dispatchedOn?: IsoDate): WalkthroughStep[] {
  return ACTORS.map(([userId, file]) => {
    const data = walkthroughPayload(file);
    return { userId, file, action: file.slice(3), data: file === '12-record-dispatch' && dispatchedOn ? { ...data, dispatchedOn } : data };
  });
}
