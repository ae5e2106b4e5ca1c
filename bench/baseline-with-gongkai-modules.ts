// The baseline workflows bundled beside gongkai's workflow code, which they never call: a worker loads every module of
// its bundle for each workflow it holds (the SDK's per-workflow module isolation), so this bundle's minimal workflows
// show what gongkai's modules alone (domain rules, zod schemas) cost per cached workflow.
export * from './baseline-workflows';
export * from '../workflows';
