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
  ],
};
