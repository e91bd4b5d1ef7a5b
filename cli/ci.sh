#!/usr/bin/env bash
# The command line against the emulator binary seeded with emulator/seed.example.json, as
# CI runs it (.ci/run): export, plan = 0, a changed key, plan = 2 naming connector and key,
# apply, plan = 0, the stored secrets unchanged, apply --prune deletes exactly the
# connector whose file went, and bad input refused with exit 1.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}/debug"
cargo build -p ccloud-connect-cli -p ccloud-connect-emulator --bins

work=$(mktemp -d)
log="$work/emulator.log"
"$target/ccloud-connect-emulator" --port 0 --api-key ci --api-secret ci \
  --seed emulator/seed.example.json --provisioning-delay-ms 300 >"$log" 2>&1 &
emulator=$!
trap 'kill "$emulator" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 50); do grep -q 'listening on' "$log" && break; sleep 0.1; done
url=$(grep -o 'http://127.0.0.1:[0-9]*' "$log" | head -n1)
[ -n "$url" ] || { cat "$log"; echo "the emulator did not start"; exit 1; }

export CONFLUENT_CLOUD_API_KEY=ci CONFLUENT_CLOUD_API_SECRET=ci CONFLUENT_CLOUD_ENDPOINT="$url"
cli() { "$target/ccloud-connect" "$@"; }
ids=(--environment env-seed --cluster lkc-seed)
dir="$work/connectors"
fail() { echo "FAILED: $*"; exit 1; }
# Runs the CLI, keeps its output in $out and its exit code in $code.
run() { set +e; out=$(cli "$@" 2>&1); code=$?; set -e; printf '%s\n' "$out"; }
secrets='seed-kafka-secret|SEEDKEY|AKIASEED|seed-aws-secret|password=seed|seed-db-password|\*\*'
stored() {  # the stored (unmasked) config of a connector, through the control endpoint
  curl -fsS -u ci:ci "$url/_emulator/connectors/env-seed/lkc-seed/$1" \
    | python3 -c 'import json,sys; c=json.load(sys.stdin)["config"]; print(json.dumps({k: c[k] for k in sorted(c) if k != "flush.size"}))'
}

cli --help | grep -q 'connectors' || fail "--help"
run connectors export "${ids[@]}" --dir "$dir"
[ "$code" = 0 ] || fail "export exited $code"
[ "$(ls "$dir" | wc -l)" = 4 ] || fail "export wrote $(ls "$dir")"
if grep -rEq "$secrets" "$dir"; then grep -rE "$secrets" "$dir"; fail "a secret or mask in an exported file"; fi
grep -q '"${PAGEVIEWS_TO_S3_AWS_SECRET_ACCESS_KEY}"' "$dir/pageviews-to-s3.json" || fail "no placeholder"

run connectors plan "${ids[@]}" --dir "$dir" --prune
[ "$code" = 0 ] || fail "plan after export exited $code, not 0"

before=$(stored pageviews-to-s3)
sed -i 's/"flush.size": "1000"/"flush.size": "2000"/' "$dir/pageviews-to-s3.json"
run connectors plan "${ids[@]}" --dir "$dir"
[ "$code" = 2 ] || fail "plan after a change exited $code, not 2"
grep -q 'update "pageviews-to-s3"' <<<"$out" || fail "the plan does not name the connector"
grep -q 'flush.size: "1000" -> "2000"' <<<"$out" || fail "the plan does not name the key"
if grep -Eq "$secrets" <<<"$out"; then fail "a secret or mask in the plan"; fi
run connectors plan "${ids[@]}" --dir "$dir" --output json
[ "$code" = 2 ] || fail "plan --output json exited $code"
python3 -c 'import json,sys; p=json.loads(sys.argv[1]); assert [c["name"] for c in p["connectors"] if c["action"]=="update"]==["pageviews-to-s3"]' "$out"

run connectors apply "${ids[@]}" --dir "$dir" --poll-interval 1
[ "$code" = 0 ] || fail "apply exited $code"
grep -q 'ok      update "pageviews-to-s3": RUNNING' <<<"$out" || fail "no report line"
if grep -Eq "$secrets" <<<"$out"; then fail "a secret or mask in the apply output"; fi
run connectors plan "${ids[@]}" --dir "$dir" --prune
[ "$code" = 0 ] || fail "plan after apply exited $code, not 0"
after=$(stored pageviews-to-s3)
[ "$before" = "$after" ] || fail "the stored config changed beyond flush.size: $before -> $after"
curl -fsS -u ci:ci "$url/_emulator/connectors/env-seed/lkc-seed/pageviews-to-s3" | grep -q '"flush.size":"2000"' \
  || fail "flush.size not stored"

rm "$dir/custom-datagen_0.json"
run connectors apply "${ids[@]}" --dir "$dir" --prune --poll-interval 1
[ "$code" = 0 ] || fail "apply --prune exited $code"
names=$(curl -fsS -u ci:ci "$url/connect/v1/environments/env-seed/clusters/lkc-seed/connectors")
[ "$names" = '["orders-from-postgres","pageviews-source","pageviews-to-s3"]' ] || fail "left: $names"

run connectors status "${ids[@]}"
[ "$code" = 0 ] || fail "status exited $code"
grep -q 'pageviews-source  *RUNNING' <<<"$out" || fail "status"

# Bad input: exit 1, a clear message, nothing sent.
run connectors plan "${ids[@]}" --dir "$work/nope"
[ "$code" = 1 ] && grep -q 'does not exist' <<<"$out" || fail "a missing --dir"
cp "$dir/pageviews-source.json" "$dir/copy.json"
run connectors apply "${ids[@]}" --dir "$dir"
[ "$code" = 1 ] && grep -q 'copy.json' <<<"$out" || fail "two files naming one connector"
rm "$dir/copy.json"
printf '{"name": "broken",\n  "config": {\n' >"$dir/broken.json"
run connectors plan "${ids[@]}" --dir "$dir"
[ "$code" = 1 ] && grep -q 'broken.json:3:' <<<"$out" || fail "malformed JSON"
rm "$dir/broken.json"
run connectors plan "${ids[@]}"
[ "$code" = 1 ] || fail "a missing argument exited $code, not 1"
# A plugin version published (progress as lines, not a bar, in a log).
python3 -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1], "w"); z.writestr("lib/a.jar", "x" * 100000); z.close()' "$work/plugin.zip"
run plugins publish --environment env-seed --name ci-plugin --version 1.0.0 --file "$work/plugin.zip" \
  --cloud AWS --connector-class com.example.Source --type SOURCE
[ "$code" = 0 ] && grep -q 'uploaded 100%' <<<"$out" && grep -q ': READY.' <<<"$out" || fail "plugins publish"
run plugins publish --environment env-seed --name ci-plugin --version v1 --file "$work/plugin.zip" --cloud AWS
[ "$code" = 1 ] && grep -q 'SemVer' <<<"$out" || fail "a bad plugin version"
echo "the command line works against the emulator"
