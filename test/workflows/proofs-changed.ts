// proofs.ts with an incompatible change: sleepDays now starts a timer of a different length first.
// The replay test uses it to show that a determinism regression in workflow code fails the suite.
import { sleep } from '@temporalio/workflow';

export { heldValueQuery, holdValue, markStage, finishSignal } from './proofs';

export async function sleepDays(days: number): Promise<number> {
  const started = Date.now();
  await sleep('1 hour');
  await sleep(`${days} days`);
  return Date.now() - started;
}
