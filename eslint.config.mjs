import tseslint from 'typescript-eslint';
import boundaries from './eslint-rules/import-boundaries.mjs';

const processEnv = {
  selector: "MemberExpression[object.name='process'][property.name='env']",
  message: 'Only server/env.ts reads process.env; take configuration from it.',
};

export default tseslint.config(
  { ignores: ['node_modules/**', '.next/**', 'data/**', '.tmp/**', 'next-env.d.ts', 'test-results/**', 'playwright-report/**'] },
  {
    files: ['**/*.{ts,tsx,mjs}'],
    languageOptions: { parser: tseslint.parser },
    plugins: { local: boundaries, '@typescript-eslint': tseslint.plugin },
    rules: {
      'local/import-boundaries': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', processEnv],
    },
  },
  {
    // Composition and tooling edges that legitimately see the process environment.
    files: ['server/env.ts', 'instrumentation.ts', 'scripts/**', 'e2e/**', 'bench/**', '*.config.{ts,mjs}', 'eslint-rules/**', '**/*.integration.test.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
