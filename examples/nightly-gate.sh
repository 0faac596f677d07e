#!/usr/bin/env bash
# The nightly contract gate, sharded. In CI each shard is a job and the merge a final job after
# them; here the shards run one after the other. The first night (no baseline yet) the shards start
# it. Needs TRUTO_API_TOKEN; TRUTO_BASE_URL, TRUTO_ACCOUNTS_FILE, SHARDS, OUT, PYTHON are optional.
set -u
out="${OUT:-reports}" shards="${SHARDS:-2}" python="${PYTHON:-python}"
mkdir -p "$out"
rank() { case "$1" in 0) echo 0 ;; 3) echo 1 ;; 1) echo 2 ;; *) echo 3 ;; esac; }  # worst: 2, 1, 3, 0
status=0
for k in $(seq 1 "$shards"); do
  "$python" -m contracts gate --base-url "${TRUTO_BASE_URL:-https://api.truto.one}" \
    --accounts-file "${TRUTO_ACCOUNTS_FILE:-accounts.json}" --shard "$k/$shards" \
    --baseline "$out/baseline.json" --save-baseline "$out/baseline-$k.json" \
    --junit-xml "$out/junit-$k.xml" --json-report "$out/gate-$k.json"
  code=$?
  [ "$(rank "$code")" -gt "$(rank "$status")" ] && status=$code
done
"$python" -m contracts baseline merge "$out/baseline.json" "$out"/baseline-[0-9]*.json || status=2
exit "$status"
