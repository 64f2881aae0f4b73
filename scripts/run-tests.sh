#!/usr/bin/env bash
# Runs the whole vitest suite and ends with the one summary line CI reads:
#   N passed, N failed, N skipped
set -uo pipefail
cd "$(dirname "$0")/.."
report=$(mktemp /tmp/vxvem-vitest.XXXXXX.json)
trap 'rm -f "$report"' EXIT
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@"
rc=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const skipped = (r.numPendingTests || 0) + (r.numTodoTests || 0);
  // A file that fails to load has no tests but must count as a failure.
  const brokenFiles = (r.testResults || []).filter((f) => f.status === "failed" && (f.assertionResults || []).length === 0).length;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests + brokenFiles} failed, ${skipped} skipped`);
' "$report" || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }
exit $rc
