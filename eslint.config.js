import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', 'coverage/**', '.tmp/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    // What the Lambda bundles must not pull in (test/unit/infra/bundles.test.ts measures it).
    files: ['lambdas/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "ImportDeclaration[source.value='zod'][importKind='value'] > ImportSpecifier[imported.name='z']",
          message: "import * as z from 'zod': the named import makes esbuild bundle all of zod's locales",
        },
        {
          selector: "ImportDeclaration[source.value='@supabase/supabase-js'][importKind='value']",
          message:
            'the Lambdas call PostgREST only: use @supabase/postgrest-js (store/supabase-transport.ts)',
        },
      ],
    },
  },
  {
    // What several features share imports no feature: a handler folder depends on shared, never
    // the other way (docs/architecture.md).
    files: ['lambdas/shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: String.raw`^(\.\./)+(chat|runs|threads|context|feedback|poller|ai-data|authorizer|openapi)/`,
              message: 'lambdas/shared imports no feature folder: move what both need into lambdas/shared',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['scripts/**', 'bench/**', 'bin/**', 'test/**'],
    rules: { 'no-console': 'off' },
  },
);
