#!/usr/bin/env bash
# Save what every command prints on every locality, so that a refactor can be checked number for number.
#   tools/snapshot_outputs.sh DIR        (then: diff -r BEFORE AFTER)
# Runs against a copy of data/ in a temporary folder (imports write into it), never against data/ itself.
set -uo pipefail
cd "$(dirname "$0")/.."
out="${1:?usage: tools/snapshot_outputs.sh DIR}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r data "$work/data"
export CHITIEU_DATA="$work/data" COLUMNS=200 NO_COLOR=1 TERM=dumb
C=".venv/bin/chitieu"
run() {  # run NAME CMD... : stdout to NAME.out, stderr to NAME.err, exit code to NAME.rc
  local name="$1"; shift
  "$@" >"$out/$name.out" 2>"$out/$name.err"; echo $? >"$out/$name.rc"
}
LOCS="muong-ang hac-thanh phieng-pan phuong-mau"
run localities $C localities
run check $C check
for l in $LOCS; do
  run "table-$l-csv" $C table "$l" --format csv
  run "table-$l-term" $C table "$l"
  run "data-$l-csv" $C data "$l" --format csv
  run "project-$l-csv" $C project "$l" --to 2030 --format csv
  run "project-$l-scen" $C project "$l" --to 2030 --format csv --scenario pace_pct=5 --scenario required
  run "project-$l-term" $C project "$l" --to 2030
done
run table-muong-ang-2030 $C table muong-ang --year 2030 --format csv
run compare-all-csv $C compare --all --format csv
run compare-2-csv $C compare muong-ang hac-thanh --format csv
run compare-term $C compare muong-ang hac-thanh phieng-pan
run audit-draft $C audit tests/fixtures/du_thao_muong_ang.txt --locality muong-ang --format csv
run audit-seed $C audit data/sources/002_12d62f31151c975c.txt --locality muong-ang --format csv
run draft-muong-ang $C draft muong-ang --no-charts --output "$work/draft-ma"
cp "$work/draft-ma/"*.md "$out/" 2>/dev/null
run draft-template $C draft muong-ang --no-charts --template data/sources/001_119cdcf1f9c6df3f.txt --output "$work/draft-t"
cp "$work/draft-t/"*.md "$out/" 2>/dev/null || true
run import-dry $C import tests/fixtures/bieu_nho.tsv --locality xa-thu --name "xã Thử" --level xa --province "Điện Biên" --dry-run
for l in $LOCS; do $C data "$l" --format csv | tail -n +2; done >"$work/body.csv"
{ $C data muong-ang --format csv | head -1; cat "$work/body.csv"; } >"$work/panel.csv"
run panel $C panel "$work/panel.csv" --to 2030 --output - --quiet
echo "snapshot written to $out"
