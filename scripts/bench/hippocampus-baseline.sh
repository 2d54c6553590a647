#!/usr/bin/env bash
# The pipeline benchmark (issue 5): plan ../shared/data/hippocampus, train the plan's baseline with
# the CLI's defaults for a wall budget (default 45m) on fold 0, predict the fold's held-out cases in
# their source geometry and score them. Prints one JSON line (the evaluation plus timings) last.
# Usage: scripts/bench/hippocampus-baseline.sh [workspace] [budget]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
data="$root/../shared/data/hippocampus"
ws="${1:-$(mktemp -d /tmp/voxnas-hippo-XXXX)}"
budget="${2:-45m}"
voxnas="$root/engine/cli/bin.mjs"
[ -d "$data" ] || { echo "missing $data (the shared hippocampus data)" >&2; exit 2; }
t0=$(date +%s)
node "$voxnas" plan "$data" -w "$ws" --json > "$ws.plan.json"
t1=$(date +%s)
node "$voxnas" train -w "$ws" --fold 0 --budget "$budget" --json > "$ws.train.json"
t2=$(date +%s)
model=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).model)' "$ws.train.json")
held="$ws/heldout"; rm -rf "$held"; mkdir -p "$held/images" "$held/labels"
node -e '
const s = JSON.parse(require("fs").readFileSync(process.argv[1] + "/splits.json", "utf8"));
console.log(s[0].val.join("\n"));' "$ws" | while read -r id; do
  cp "$data/imagesTr/$id.nii.gz" "$held/images/$id.nii.gz"
  cp "$data/labelsTr/$id.nii.gz" "$held/labels/$id.nii.gz"
done
node "$voxnas" predict --model "$model" --input "$held/images" --output "$held/pred" > /dev/null
t3=$(date +%s)
node "$voxnas" evaluate --pred "$held/pred" --labels "$held/labels" --json > "$ws.eval.json"
node -e '
const [train, evaluation] = [process.argv[1], process.argv[2]].map((p) => JSON.parse(require("fs").readFileSync(p, "utf8")));
const mean = evaluation.mean ?? evaluation.summary ?? null;
console.log(JSON.stringify({ bench: "hippocampus-baseline", workspace: process.argv[3], train, planSeconds: +process.argv[4], trainSeconds: +process.argv[5], predictSeconds: +process.argv[6], heldOutCases: evaluation.cases?.length, mean }));
' "$ws.train.json" "$ws.eval.json" "$ws" $((t1 - t0)) $((t2 - t1)) $((t3 - t2))
