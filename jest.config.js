// Three projects: pure unit tests run in parallel; tests on a real Temporal server
// (time-skipping "workflow" and dev-server "integration") run one file at a time (npm run test:temporal),
// because a JVM or Go server plus webpack bundling saturate the two cores.
const transform = {
  '^.+\\.(t|j)sx?$': [
    '@swc/jest',
    { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
  ],
};
const common = { transform, testEnvironment: 'node', modulePathIgnorePatterns: ['<rootDir>/.tools/', '<rootDir>/data/'] };

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'workflow', testMatch: ['<rootDir>/test/workflow/**/*.test.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
    // Property-based fuzzing of every API endpoint, page form and CLI command on the real stack (issue 11).
    { ...common, displayName: 'fuzz', testMatch: ['<rootDir>/test/fuzz/**/*.test.ts'] },
    // Cases in flight through a worker kill, a dev server restart and an SMTP outage (issue 11): minutes long, so
    // not in `npm test`; `npm run test:faults` (which .ci/run runs after it).
    { ...common, displayName: 'faults', testMatch: ['<rootDir>/test/faults/**/*.test.ts'] },
  ],
};
