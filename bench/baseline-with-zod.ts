// The baseline workflows bundled with zod beside them (never called): what zod's module alone costs per cached
// workflow, since a worker loads every module of its bundle for each workflow it holds.
export * from './baseline-workflows';
export { z } from 'zod';
