#!/usr/bin/env bash
# The hippocampus benchmarks (issues 5, 6, 9): plan ../shared/data/hippocampus, then either train the
# plan's baseline with the CLI's defaults (`baseline`) or run `voxnas search --strategy <s>`, all for
# the same wall budget on fold 0; then predict the fold's 37 held-out cases in their source geometry
# (with `voxnas predict`'s default mirroring test-time augmentation, as nnU-Net) and score them. Prints one JSON line last.
# Usage: scripts/bench/hippocampus.sh baseline|enas|random|darts|gumbel|c2fnas [budget, default 45m] [workspace]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
data="$root/../shared/data/hippocampus"
mode="${1:?baseline, enas, random, darts, gumbel or c2fnas}"
budget="${2:-45m}"
ws="${3:-$(mktemp -d "/tmp/voxnas-hippo-$mode-XXXX")}"
voxnas="$root/engine/cli/bin.mjs"
[ -d "$data" ] || { echo "missing $data (the shared hippocampus data)" >&2; exit 2; }
t0=$(date +%s)
[ -f "$ws/plans.json" ] || node "$voxnas" plan "$data" -w "$ws" --json > "$ws.plan.json"
t1=$(date +%s)
if [ "$mode" = baseline ]; then
  node "$voxnas" train -w "$ws" --fold 0 --budget "$budget" --json > "$ws.run.json"
else
  node "$voxnas" search "$data" -w "$ws" --strategy "$mode" --budget "$budget" --fold 0 --json > "$ws.run.json"
fi
t2=$(date +%s)
model=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).model)' "$ws.run.json")
held="$ws/heldout"; rm -rf "$held"; mkdir -p "$held/images" "$held/labels"
node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1] + "/splits.json", "utf8"))[0].val.join("\n"))' "$ws" | while read -r id; do
  ln -s "$data/imagesTr/$id.nii.gz" "$held/images/$id.nii.gz"
  ln -s "$data/labelsTr/$id.nii.gz" "$held/labels/$id.nii.gz"
done
node "$voxnas" predict --model "$model" --input "$held/images" --output "$held/pred" > /dev/null
t3=$(date +%s)
node "$voxnas" evaluate --pred "$held/pred" --labels "$held/labels" --json > "$ws.eval.json"
node -e '
const fs = require("fs");
const [run, evaluation] = [process.argv[1], process.argv[2]].map((p) => JSON.parse(fs.readFileSync(p, "utf8")));
console.log(JSON.stringify({ bench: "hippocampus-" + process.argv[3], budget: process.argv[4], workspace: process.argv[5], run, planSeconds: +process.argv[6], runSeconds: +process.argv[7], predictSeconds: +process.argv[8], heldOutCases: evaluation.cases.length, mean: evaluation.mean, meanPerLabel: evaluation.meanPerLabel }));
' "$ws.run.json" "$ws.eval.json" "$mode" "$budget" "$ws" $((t1 - t0)) $((t2 - t1)) $((t3 - t2))
