import { bundleTestWorkflows } from '../helpers/temporal-env';
import { WORKFLOWS_PATH } from '../../workers/worker';

// The worker's webpack bundle refuses Node built-ins and I/O libraries in workflow code; catching that
// here is faster than a worker failing at start-up.
test('the production workflow code bundles for the deterministic sandbox', async () => {
  const bundle = await bundleTestWorkflows(WORKFLOWS_PATH);
  expect(bundle.code.length).toBeGreaterThan(0);
}, 60_000);
