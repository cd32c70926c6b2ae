// Lint at zero warnings (`npm run lint` passes --max-warnings 0).
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "dist/**",
      "node_modules/**",
      ".tools/**",
      "proto/gen/**",
      "**/*.mjs",
      "**/*.cjs",
      "rest/static/**",
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-syntax": "off",
    },
  },
  {
    // Determinism is sacred in app/: no clocks, randomness or floats from the environment.
    files: ["app/**/*.ts"],
    ignores: ["app/**/*.test.ts"],
    rules: {
      "no-restricted-globals": ["error", { name: "Date", message: "app/ must not read clocks" }],
      "no-restricted-properties": [
        "error",
        { object: "Math", property: "random", message: "app/ must be deterministic" },
        { object: "Date", property: "now", message: "app/ must not read clocks" },
        { object: "performance", property: "now", message: "app/ must not read clocks" },
      ],
    },
  },
);
