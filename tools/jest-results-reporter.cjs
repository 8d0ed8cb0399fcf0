// A jest reporter that writes the run's counts to
// $STREAMTASKS_TEST_RESULTS/<package>.json, for tools/run-tests.mjs to add up.
// Without that variable it does nothing.
const fs = require('node:fs');
const path = require('node:path');

module.exports = class JestResultsReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const dir = process.env.STREAMTASKS_TEST_RESULTS;
    if (!dir) return;
    const failed = [];
    for (const file of results.testResults) {
      if (file.testExecError) failed.push(`${path.relative(this.rootDir, file.testFilePath)}: ${file.testExecError.message.split('\n')[0]}`);
      for (const t of file.testResults) if (t.status === 'failed') failed.push(t.fullName);
    }
    const summary = {
      rootDir: this.rootDir,
      passed: results.numPassedTests,
      failed: results.numFailedTests,
      // Suites that could not run at all (a syntax error, a throwing import).
      brokenSuites: results.numRuntimeErrorTestSuites,
      skipped: results.numPendingTests + results.numTodoTests,
      failedNames: failed,
      success: results.success,
    };
    fs.mkdirSync(dir, { recursive: true });
    const name = path.basename(this.rootDir).replace(/[^A-Za-z0-9._-]/g, '_');
    fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(summary, null, 2));
  }
};
