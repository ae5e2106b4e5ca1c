// Required once per workflow thread before its first workflow (workers/connection.ts SHARED_WORKFLOW_MODULES), so
// zod's modules, evaluated here, are shared by every workflow instead of evaluated again for each. zod itself cannot
// be listed: its package is marked side-effect free, so the bundler drops a bare require of it.
import { z } from 'zod';

// The SDK freezes everything shared once this module has run, and zod completes its global configuration (default
// locale, memoizer) on first use: use it here, or the first schema a workflow builds fails on the frozen object.
z.object({ shape: z.string().email(), list: z.array(z.number()).optional() }).safeParse({ shape: 'not an email' });

export { z };
