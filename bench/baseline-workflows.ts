// Raw Temporal, for the benchmarks to compare gongkai against: minimal workflows with no-op updates and no-op
// activities, bundled on their own (never part of the gongkai worker). Only @temporalio/workflow: sandboxed code.
import { condition, defineQuery, defineSignal, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';

export interface BaselineActivities {
  noop(): Promise<void>;
}

const { noop } = proxyActivities<BaselineActivities>({ startToCloseTimeout: '1 minute' });

/** A no-op update: takes what an act takes (one object), changes a counter, answers it. */
export const baselineUpdate = defineUpdate<number, [{ action: string; data?: unknown }]>('baselineUpdate');
export const baselineQuery = defineQuery<number>('baselineQuery');
export const finishSignal = defineSignal('finish');

export interface BaselineLifecycleInput {
  /** Activities to run before the first update, then after each update: one entry more than updates. */
  activitiesPerUpdate: number[];
}

/**
 * A request's lifecycle stripped to its Temporal traffic: as many updates as the walkthrough's acts, and after each
 * as many no-op activities (one after another) as the real case scheduled then; completes after the last ones.
 */
export async function baselineLifecycleWorkflow({ activitiesPerUpdate }: BaselineLifecycleInput): Promise<number> {
  let received = 0;
  setHandler(baselineUpdate, () => ++received);
  setHandler(baselineQuery, () => received);
  for (const [index, activities] of activitiesPerUpdate.entries()) {
    if (index > 0) await condition(() => received >= index);
    for (let i = 0; i < activities; i++) await noop();
  }
  return received;
}

/** An open entity that only answers: no-op updates and queries until `finish`. */
export async function baselineEntityWorkflow(): Promise<number> {
  let received = 0;
  let finished = false;
  setHandler(baselineUpdate, () => ++received);
  setHandler(baselineQuery, () => received);
  setHandler(finishSignal, () => void (finished = true));
  await condition(() => finished);
  return received;
}
