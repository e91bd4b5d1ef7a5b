#!/usr/bin/env bash
# Runs every benchmark figure of BENCHMARKS.md and prints the summary table.
#
#   scripts/bench.sh [--quick] [--skip-build-figure]
#
# Not part of CI: a full run takes about 3 minutes on 2 cores, most of it figure 7's clean
# build, plus, the first time, a release build of every dependency (about 11 minutes).
#
# * Builds benches/compare in release (`cargo bench`), which measures figures 1-6 against
#   one loopback server it starts itself; figure 5 uploads a 1 GiB sparse archive made here.
# * Figure 7 copies the sources (no .git, no target) to a temporary directory and builds
#   there with a temporary CARGO_TARGET_DIR: a clean build, then an incremental rebuild
#   after `touch src/lib.rs`. The copy and its target take about 1 GB of disk until the
#   script ends, and the build competes for the CPU with anything else running.
# * Figure 1 runs three times, interleaved with the others' runs; figure 1m is their median.
# * Figures 9a-9c (benches/fleet, release) seed the emulator with 20 clusters of 50
#   connectors and a rate limit of 100 requests per 2 s per API key, then time a fleet
#   inventory plus a status read per connector at concurrency 64, paced and then unpaced,
#   against the bound the limit allows; the emulator counts the requests and its 429s.
# * Figure 8 builds two small downstream programs from scratch, each with its own fresh
#   CARGO_TARGET_DIR, one after the other in this run: one depending on ccloud-connect with
#   default features, one on only reqwest (the same features and TLS), serde_json and tokio.
#   The ratio of their clean build times is the cost of adding this crate.
# * Figure 8b builds a third program the same way, against a floor crate that has the
#   reqwest line of figure 8 plus serde_json and the generator the crate builds with
#   (progenitor-impl as a build-dependency, the crate's own version pin, used by a build
#   script): the crate's own share of the build, its generation and compilation of the
#   client and its extra runtime dependencies, over what generating a client at build time
#   costs at all. Its ratio reuses figure 8's build with this crate.
# * Installs what it needs and lacks: GNU time (peak RSS) and curl.
#
# Environment: BENCH_DIR (default ${TMPDIR:-/tmp}/ccloud-connect-bench) holds the archive and
# the results (results.tsv: id, name, measured, target, ok|short; results.md: the table).
# CARGO_TARGET_DIR is honoured for the benchmark build.
#
# --quick runs every code path with few rounds (a smoke test; its numbers are not figures).
# Exits 0 when every figure was measured (some may be `short`), 1 when one could not be.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

quick=()
build_figure=1
for arg in "$@"; do
  case "$arg" in
    --quick) quick=(--quick) ;;
    --skip-build-figure) build_figure=0 ;;
    -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done

need() { # need <command-path> <apt package>
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "installing $2 (for $1)" >&2
  if [[ $(id -u) -eq 0 ]]; then apt-get install -y "$2" >/dev/null || { apt-get update >/dev/null && apt-get install -y "$2" >/dev/null; }
  else sudo apt-get install -y "$2" >/dev/null; fi
}
need /usr/bin/time time
need curl curl

bench_dir=${BENCH_DIR:-${TMPDIR:-/tmp}/ccloud-connect-bench}
mkdir -p "$bench_dir"
results="$bench_dir/results.tsv"
: >"$results"

# Figure 5's archive: 1 GiB, sparse (no disk blocks, reads as zeros) after the ZIP
# signature the client checks for, a .zip by name.
archive="$bench_dir/plugin-1GiB.zip"
if [[ ! -f "$archive" ]] || [[ $(stat -c %s "$archive") -ne $((1 << 30)) ]] \
  || [[ $(head -c 4 "$archive" | od -An -tx1 | tr -d ' ') != 504b0304 ]]; then
  rm -f "$archive"
  printf 'PK\003\004' >"$archive"
  truncate -s 1G "$archive"
fi

echo "==> building benches/compare (release)" >&2
cargo bench --bench compare --no-run >&2

echo "==> figures 1-6" >&2
status=0
# The rows come on stdout as RESULT lines (kept in rows.out); progress and the per-round
# details come on stderr, which stays on the terminal.
cargo bench --bench compare -- run --upload-file "$archive" "${quick[@]}" >"$bench_dir/rows.out" \
  || status=1
awk -F'\t' '$1 == "RESULT" { print $2 "\t" $3 "\t" $4 "\t" $5 "\t" $6 }' "$bench_dir/rows.out" >>"$results"

echo "==> figure 1, twice more, for the median of three runs" >&2
for run in 2 3; do
  cargo bench --bench compare -- run --figures 1 "${quick[@]}" >"$bench_dir/rows-1-$run.out" || status=1
done
# Each figure-1 row's measured cell starts with the ratio; the median of three is the middle.
cat "$bench_dir/rows.out" "$bench_dir/rows-1-2.out" "$bench_dir/rows-1-3.out" \
  | awk -F'\t' '$1 == "RESULT" && $2 == "1" { split($4, w, " "); print w[1] }' | sort -n \
  | awk -v target=1.05 '{ r[NR] = $1 } END {
      if (NR != 3) { printf "1m\tcall overhead, median of 3 runs\tnot measured (%d runs)\t<= %.2f\tshort\n", NR, target; exit }
      printf "1m\tcall overhead, median of 3 runs\t%.3f (runs %.3f, %.3f, %.3f)\t<= %.2f\t%s\n", r[2], r[1], r[2], r[3], target, (r[2] <= target ? "ok" : "short")
    }' >>"$results"

echo "==> figures 9a-9c: a fleet inventory under the emulator's rate limit (benches/fleet)" >&2
# About 45 s: two passes of 1,020 requests at 100 per 2 s, paced and unpaced.
cargo bench --bench fleet -- "${quick[@]}" >"$bench_dir/rows-9.out" || status=1
awk -F'\t' '$1 == "RESULT" { print $2 "\t" $3 "\t" $4 "\t" $5 "\t" $6 }' "$bench_dir/rows-9.out" >>"$results"

if [[ $build_figure -eq 1 ]]; then
  echo "==> figure 7: clean build, incremental rebuild, generated lines" >&2
  work=$(mktemp -d "${TMPDIR:-/tmp}/ccloud-connect-build.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/src"
  tar -C "$root" --exclude=./.git --exclude=./target -cf - . | tar -C "$work/src" -xf -
  now() { date +%s.%N; }
  build() { (cd "$work/src" && CARGO_TARGET_DIR="$work/target" cargo build --offline --locked --quiet) >&2; }
  t0=$(now)
  if build; then
    t1=$(now)
    # Sleep past the filesystem's mtime granularity so cargo sees the touch as new.
    sleep 1
    touch "$work/src/src/lib.rs"
    t2=$(now)
    if build; then
      t3=$(now)
      out=$(ls -d "$work"/target/debug/build/ccloud-connect-*/out | head -1)
      connect=$(wc -l <"$out/connect_v1.rs")
      ccpm=$(wc -l <"$out/ccpm_v1.rs")
      cam=$(wc -l <"$out/cam_v1.rs")
      echo "figure 7 used $(du -sh "$work" | cut -f1) of disk (copy and target), removed now" >&2
      awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v connect="$connect" -v ccpm="$ccpm" -v cam="$cam" -v jobs="$(nproc)" 'BEGIN {
        printf "7\tbuild (dev profile, %s jobs)\tclean %.0f s, touch src/lib.rs %.1f s, %d generated lines (connect %d + ccpm %d + cam %d)\treported\tok\n", jobs, b - a, d - c, connect + ccpm + cam, connect, ccpm, cam
      }' >>"$results"
    else
      printf '7\tbuild (dev profile)\tnot measured: the incremental build failed\treported\tshort\n' >>"$results"
      status=1
    fi
  else
    printf '7\tbuild (dev profile)\tnot measured: the clean build failed\treported\tshort\n' >>"$results"
    status=1
  fi
fi

if [[ $build_figure -eq 1 ]]; then
  echo "==> figure 8: a downstream program's clean build, with this crate vs reqwest alone" >&2
  down=$(mktemp -d "${TMPDIR:-/tmp}/ccloud-connect-downstream.XXXXXX")
  trap 'rm -rf "$down" "${work:-}"' EXIT
  mkdir -p "$down/crate"
  tar -C "$root" --exclude=./.git --exclude=./target -cf - . | tar -C "$down/crate" -xf -
  # The same reqwest features and TLS backend as the crate's default build: the crate's
  # reqwest line, plus the features its default features pass to reqwest.
  tls=$(sed -n 's/^default = \[\(.*\)\]/\1/p' "$root/Cargo.toml" | tr -d ' "' | tr ',' '\n' \
    | while read -r f; do sed -n "s/^$f = \[\(.*\)\]/\1/p" "$root/Cargo.toml"; done \
    | tr -d ' "' | tr ',' '\n' | sed -n 's/^reqwest\///p' | sed 's/.*/"&", /' | tr -d '\n')
  reqwest_line=$(grep -m1 '^reqwest = ' "$root/Cargo.toml" | sed "s/features = \[/features = [$tls/")
  echo "figure 8 compares against: $reqwest_line" >&2
  # Figure 8b's floor: the generator as the crate pins it in its build-dependencies.
  generator_line=$(grep -m1 '^progenitor-impl = ' "$root/Cargo.toml")
  echo "figure 8b's floor adds the build-dependency: $generator_line" >&2
  mkdir -p "$down/floor-crate/src"
  {
    printf '[package]\nname = "ccloud-floor"\nversion = "0.0.0"\nedition = "2024"\npublish = false\n\n'
    printf '[dependencies]\n%s\nserde_json = "1"\n\n[build-dependencies]\n%s\n' "$reqwest_line" "$generator_line"
  } >"$down/floor-crate/Cargo.toml"
  printf 'pub use reqwest;\npub use serde_json;\n' >"$down/floor-crate/src/lib.rs"
  # The build script links the generator, as the crate's does (it does not run it on a spec).
  cat >"$down/floor-crate/build.rs" <<'RS'
fn main() {
    let settings = progenitor_impl::GenerationSettings::default();
    std::hint::black_box(&settings);
}
RS
  for kind in sdk bare floor; do
    mkdir -p "$down/$kind/src"
    {
      printf '[package]\nname = "downstream-%s"\nversion = "0.0.0"\nedition = "2024"\npublish = false\n\n[workspace]\n\n[dependencies]\n' "$kind"
      printf 'tokio = { version = "1", features = ["rt-multi-thread", "macros"] }\n'
      if [[ $kind == sdk ]]; then
        printf 'ccloud-connect = { path = "../crate" }\n'
      elif [[ $kind == floor ]]; then
        printf 'ccloud-floor = { path = "../floor-crate" }\n'
      else
        printf '%s\nserde_json = "1"\n' "$reqwest_line"
      fi
    } >"$down/$kind/Cargo.toml"
  done
  cat >"$down/sdk/src/main.rs" <<'RS'
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = ccloud_connect::Client::from_env()?;
    let names = client.connect().cluster("env-1", "lkc-1").connector_names().await?;
    println!("{names:?}");
    Ok(())
}
RS
  cat >"$down/bare/src/main.rs" <<'RS'
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = "https://api.confluent.cloud/connect/v1/environments/env-1/clusters/lkc-1/connectors";
    let names: serde_json::Value = reqwest::Client::new().get(url).send().await?.json().await?;
    println!("{names}");
    Ok(())
}
RS
  cat >"$down/floor/src/main.rs" <<'RS'
use ccloud_floor::{reqwest, serde_json};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = "https://api.confluent.cloud/connect/v1/environments/env-1/clusters/lkc-1/connectors";
    let names: serde_json::Value = reqwest::Client::new().get(url).send().await?.json().await?;
    println!("{names}");
    Ok(())
}
RS
  clean_build() { # clean_build <kind>: prints "<seconds> <crates compiled>"
    local log="$down/$1.log" t0 t1
    # Resolve and fetch first (outside the timing), so both sides time compilation only.
    (cd "$down/$1" && cargo generate-lockfile --offline >/dev/null 2>&1 || cargo generate-lockfile >/dev/null)
    (cd "$down/$1" && cargo fetch >/dev/null 2>&1 || true)
    t0=$(date +%s.%N)
    (cd "$down/$1" && CARGO_TARGET_DIR="$down/target-$1" cargo build --offline 2>"$log") || return 1
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" -v n="$(grep -c '^ *Compiling ' "$log")" 'BEGIN { printf "%.1f %d\n", b - a, n }'
  }
  sdk=""
  if sdk=$(clean_build sdk) && bare=$(clean_build bare); then
    read -r sdk_s sdk_n <<<"$sdk"
    read -r bare_s bare_n <<<"$bare"
    awk -v s="$sdk_s" -v sn="$sdk_n" -v b="$bare_s" -v bn="$bare_n" 'BEGIN {
      r = s / b
      printf "8\tdownstream clean build: with ccloud-connect / reqwest alone\t%.2f (%.0f s and %d crates vs %.0f s and %d crates)\t<= 1.25\t%s\n", r, s, sn, b, bn, (r <= 1.25 ? "ok" : "short")
    }' >>"$results"
  else
    printf '8\tdownstream clean build\tnot measured: a build failed (see %s)\t<= 1.25\tshort\n' "$down" >>"$results"
    status=1
  fi
  echo "==> figure 8b: the same program on a floor crate that also builds the generator" >&2
  if [[ -n $sdk ]] && floor=$(clean_build floor); then
    read -r sdk_s sdk_n <<<"$sdk"
    read -r floor_s floor_n <<<"$floor"
    awk -v s="$sdk_s" -v sn="$sdk_n" -v f="$floor_s" -v fn="$floor_n" 'BEGIN {
      r = s / f
      printf "8b\tdownstream clean build: with ccloud-connect / reqwest + the generator\t%.2f (%.0f s and %d crates vs %.0f s and %d crates)\t<= 1.15\t%s\n", r, s, sn, f, fn, (r <= 1.15 ? "ok" : "short")
    }' >>"$results"
  else
    printf '8b\tdownstream clean build vs the generator floor\tnot measured: a build failed (see %s)\t<= 1.15\tshort\n' "$down" >>"$results"
    status=1
  fi
fi

# The summary: one row per figure, columns padded to their widest cell.
{
  printf 'figure\tname\tmeasured\ttarget\tresult\n'
  cat "$results"
} | awk -F'\t' '
  function dashes(n,   s) { s = ""; while (n-- > 0) s = s "-"; return s }
  { for (i = 1; i <= 5; i++) { cell[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } }
  END {
    for (r = 1; r <= NR; r++) {
      line = ""; rule = ""
      for (i = 1; i <= 5; i++) {
        line = line sprintf("%-" w[i] "s", cell[r, i]) (i < 5 ? " | " : "")
        rule = rule dashes(w[i]) (i < 5 ? "-+-" : "")
      }
      print line
      if (r == 1) print rule
    }
  }'

{
  echo '| figure | name | measured | target | result |'
  echo '|---|---|---|---|---|'
  awk -F'\t' '{ printf "| %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5 }' "$results"
} >"$bench_dir/results.md"
echo >&2
echo "results: $results and $bench_dir/results.md" >&2
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(free -h | awk '/^Mem:/ { print $2 }') RAM, $(rustc -V)" >&2
exit $status
