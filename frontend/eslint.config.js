// ESLint flat config (ADR 0029): the recommended rules for browser modules, plus a few that keep
// the scripts strict-CSP and old-browser friendly.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["node_modules/", "../samdrift/ui/static/ui/dist/"] },
  js.configs.recommended,
  {
    files: ["src/**/*.js"],
    languageOptions: {
      ecmaVersion: 2020,
      sourceType: "module",
      globals: { ...globals.browser },
    },
    rules: {
      "no-eval": "error",
      "no-implied-eval": "error",
      "no-new-func": "error",
      "no-console": "error",
      eqeqeq: "error",
      "prefer-const": "error",
    },
  },
  {
    files: ["eslint.config.js"],
    languageOptions: { sourceType: "module", globals: { ...globals.node } },
  },
];
