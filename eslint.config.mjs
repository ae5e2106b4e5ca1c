// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Workflow code runs in Temporal's deterministic sandbox: it may import only domain/ and the SDK's
// workflow-safe packages. Anything with I/O belongs in an activity.
const workflowSafeImports = {
  patterns: [
    {
      regex: '^(?!@temporalio/(workflow|common)$)(?!\\./)(?!\\.\\./search-attributes$)(?!(\\.\\./)+(domain|workflows)(/|$)).*',
      message: 'Workflow code may import only domain/, @temporalio/workflow and @temporalio/common (search-attribute keys); other modules as types only.',
      allowTypeImports: true,
    },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/', '.tools/', '.tmp/', 'data/', 'coverage/', 'test/histories/**/*.json'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { patterns: [{ group: ['@temporalio/*/src/*'], message: 'Import from the package entry point.' }] }],
    },
  },
  {
    files: ['workflows/**/*.ts', 'test/workflows/**/*.ts', 'workers/failure-converter.ts'],
    rules: { 'no-restricted-imports': ['error', workflowSafeImports] },
  },
  {
    files: ['domain/**/*.ts'],
    rules: {
      // Deterministic everywhere, the workflow sandbox included: no clock, no host time zone, no process state.
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'domain/ never reads the clock: take the date as an argument.' },
        { object: 'process', message: 'domain/ reads no environment.' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'domain/ never reads the clock.' },
        {
          selector: "CallExpression[callee.property.name=/^(getDate|getDay|getHours|getMinutes|getMonth|getFullYear|getTimezoneOffset|toLocaleString|toLocaleDateString|toLocaleTimeString)$/]",
          message: 'Host-time-zone getters differ between workers: use the UTC-based helpers of domain/dates.ts.',
        },
      ],
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(?!zod$)(?!\\./).*', message: 'domain/ is pure: it may import only zod and other domain modules.' }] },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
