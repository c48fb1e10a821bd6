import js from '@eslint/js'
import globals from 'globals'
import reactHooks from 'eslint-plugin-react-hooks'
import tseslint from 'typescript-eslint'

const layerMessage = (from, allowed) => `${from} may import only ${allowed}.`

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'node_modules/**',
      'src/main/triton/generated/**',
      'test-artifacts/**',
      'resources/**',
      // Bundled configs that electron-vite and vite write beside their config while building,
      // which a lint running beside the build can list and then not find.
      'electron.vite.config.ts.*.mjs',
      '*.timestamp-*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['bin/**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}', 'test/unit/renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      ...reactHooks.configs.recommended.rules,
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['electron', 'node:*', '@grpc/*'],
              message: layerMessage('src/renderer', 'src/shared and browser packages'),
            },
            {
              group: ['**/main/**', '**/preload/**', '**/cli/**'],
              message: layerMessage('src/renderer', 'src/shared and browser packages'),
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['electron', 'node:*', '@grpc/*', 'react', 'react-dom'],
              message: layerMessage('src/shared', 'zod and other src/shared files'),
            },
            {
              group: ['**/main/**', '**/renderer/**', '**/preload/**', '**/cli/**'],
              message: layerMessage('src/shared', 'other src/shared files'),
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/main/**/*.ts', 'src/cli/**/*.ts', 'test/**/*.{ts,tsx}'],
    ignores: ['src/main/index.ts', 'src/main/electron/**', 'test/unit/renderer/**', 'test/e2e/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['electron'],
              message: layerMessage(
                'the core (src/main outside src/main/index.ts and src/main/electron/, src/cli, tests)',
                'Node and src/shared; only the Electron shell imports electron',
              ),
            },
            {
              group: ['**/renderer/**'],
              message: layerMessage('src/main', 'src/main and src/shared'),
            },
          ],
        },
      ],
    },
  },
)
