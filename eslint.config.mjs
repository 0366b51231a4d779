import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import pluginVue from 'eslint-plugin-vue'
import prettier from 'eslint-config-prettier'
import globals from 'globals'

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', '.tmp/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    files: ['src/renderer/**'],
    languageOptions: { globals: globals.browser },
  },
  {
    files: [
      'src/main/**',
      'src/core/**',
      'src/central/**',
      'src/preload/**',
      'scripts/**',
      'test/**',
      'bench/**',
      '*.config.*',
    ],
    languageOptions: { globals: globals.node },
  },
  {
    rules: {
      'no-console': ['error', { allow: ['error', 'warn', 'log'] }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'vue/multi-word-component-names': 'off',
    },
  },
  {
    // The renderer never reaches Node or Electron: everything goes through invoke().
    files: ['src/renderer/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['electron', 'node:*', 'fs', 'path', 'knex', 'sqlite3', '**/main/**', '**/preload/**'] },
      ],
    },
  },
  {
    // ARCHITECTURE.md: central and src/core never reach into the branch app (src/main); src/core is shared
    // node-side code that imports src/shared only.
    files: ['src/central/**', 'src/core/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['**/main/**', '**/renderer/**', '**/preload/**', 'electron'] },
      ],
    },
  },
  {
    files: ['src/core/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['**/main/**', '**/central/**', '**/renderer/**', '**/preload/**', 'electron'] },
      ],
    },
  },
  {
    // The sandboxed preload is tiny and imports only src/shared.
    files: ['src/preload/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['**/main/**', '**/core/**', '**/central/**', '**/renderer/**'] },
      ],
    },
  },
  prettier,
)
