// Small workflows that prove the foundation on the real servers: long timers, search attributes,
// encrypted payloads, replay. They are test fixtures, not part of gongkai.
import { condition, defineQuery, defineSignal, setHandler, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import { Stage } from '../../workflows/search-attributes';

/** Sleeps for `days` of workflow time and returns how many milliseconds of workflow time passed. */
export async function sleepDays(days: number): Promise<number> {
  const started = Date.now();
  await sleep(`${days} days`);
  return Date.now() - started;
}

export const finishSignal = defineSignal('finish');

/** Marks itself with a stage and stays open until signalled, so visibility queries can find it. */
export async function markStage(stage: string): Promise<string> {
  let finished = false;
  setHandler(finishSignal, () => {
    finished = true;
  });
  upsertSearchAttributes([{ key: Stage, value: stage }]);
  await condition(() => finished);
  return stage;
}

export const heldValueQuery = defineQuery<string>('heldValue');

/** Keeps its input (in tests: personal data) in state until signalled, then returns it. */
export async function holdValue(value: string): Promise<string> {
  let finished = false;
  setHandler(heldValueQuery, () => value);
  setHandler(finishSignal, () => {
    finished = true;
  });
  await condition(() => finished);
  return value;
}
