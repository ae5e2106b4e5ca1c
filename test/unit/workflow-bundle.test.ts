import { relative } from 'node:path';
import { bundleTestWorkflows } from '../helpers/temporal-env';
import { SHARED_WORKFLOW_MODULES } from '../../workers/connection';
import { PROJECT_ROOT } from '../../workers/config';
import { WORKFLOWS_PATH } from '../../workers/worker';

// The worker's webpack bundle refuses Node built-ins and I/O libraries in workflow code; catching that
// here is faster than a worker failing at start-up.
test('the production workflow code bundles for the deterministic sandbox, loading the shared modules before any workflow', async () => {
  const bundle = await bundleTestWorkflows(WORKFLOWS_PATH);
  // The bundler drops a preload whose module it deems side-effect free (zod's package is): each must be required here.
  const preload = /exports\.preloadModules = function preloadModules\(\) \{([\s\S]*?)\n\}/.exec(bundle.code)?.[1];
  expect(SHARED_WORKFLOW_MODULES.length).toBeGreaterThan(0);
  for (const path of SHARED_WORKFLOW_MODULES) expect(preload).toContain(`__webpack_require__(/* webpackMode: "eager" */ /*! ./${relative(PROJECT_ROOT, path)} */`);
}, 60_000);
