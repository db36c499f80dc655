// The rules DEVELOPERS.md states that the compiler alone does not check: no `any`, no @ts-ignore, no promise left
// floating (type-aware), no focused or skipped test. One type-checked program (tsconfig.test.json covers packages,
// tests, scripts and bench), so the lint costs one tsc pass.
import tseslint from 'typescript-eslint';

const focused = ['only', 'skip', 'todo'].flatMap((property) =>
  ['it', 'test', 'describe', 'suite'].map((object) => ({
    object,
    property,
    message: `${object}.${property} leaves tests out of the run: no focused, skipped or to-do tests (DEVELOPERS.md).`,
  })),
);

export default tseslint.config(
  // The bins are three-line shims; the Images page's assets are plain browser modules the compiler does not type.
  { ignores: ['**/dist/**', '**/node_modules/**', 'packages/*/bin/**', 'packages/region/src/page/assets/**'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/ban-ts-comment': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      'no-restricted-properties': ['error', ...focused],
      // Another package is used through its exports (@bootsync/<pkg>/<folder>, and in tests @bootsync/region/testing
      // or @bootsync/rack/testing), never by a relative path into its tree.
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(\\.\\./)+(packages/)?(shared|testkit|region|rack|cli)/', message: 'import another package through its exports, not a path into its tree' }] },
      ],
    },
  },
);
