// Lint rules for the whole tree: typescript-eslint's recommended set, plus what this project holds to.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "examples/**/node_modules/**", "test/fixtures/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // `_name` says "deliberately unused" (a parameter a signature needs, a value destructured away).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true }],
      "@typescript-eslint/no-explicit-any": "error",
    },
  },
  {
    // Tests load built files and generated programs by computed paths. The shim resolves the
    // installed package at call time, by design; a comment inside its function would change the
    // text Pulumi serializes into every resource's state, so the exception lives here.
    files: ["test/**/*.ts", "sdk/shim.ts"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // A native class merges in the dynamic class's outputs (an empty interface of the same name)
    // instead of restating them: one list of properties for both SDKs.
    files: ["sdk/native/*.ts"],
    rules: { "@typescript-eslint/no-empty-object-type": "off", "@typescript-eslint/no-unsafe-declaration-merging": "off" },
  },
  {
    files: ["**/*.js", "**/*.cjs"],
    languageOptions: { sourceType: "commonjs", globals: globals.node },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
