#!/usr/bin/env bash
# Runs the upload_s3s tests (tests/it/upload_s3s.rs): the S3 presigned POST against s3s-fs, a real S3 implementation
# that checks SigV4 POST policy signatures, expiry and content-length-range.
#
# Uses $S3S_FS_BIN when set, else an s3s-fs 0.14.1 on PATH, else installs it with
# `cargo install` (a separate build of a few minutes, kept out of the project's target dir:
# $S3S_FS_BUILD_DIR, default ${TMPDIR:-/tmp}/s3s-fs-build). rustc >= 1.88 is enough for
# 0.14.1; 0.17 needs a newer compiler, hence the pinned version.
#
# Extra arguments go to `cargo test` (e.g. `-- --nocapture`).
set -euo pipefail
cd "$(dirname "$0")/.."

version=0.14.1
bin="${S3S_FS_BIN:-}"
if [[ -z "$bin" ]]; then
  if command -v s3s-fs >/dev/null 2>&1 && [[ "$(s3s-fs --version 2>/dev/null)" == *" $version" ]]; then
    bin="$(command -v s3s-fs)"
  else
    root="${CARGO_HOME:-$HOME/.cargo}"
    if [[ ! -x "$root/bin/s3s-fs" ]] || [[ "$("$root/bin/s3s-fs" --version 2>/dev/null)" != *" $version" ]]; then
      echo "installing s3s-fs $version into $root/bin" >&2
      CARGO_TARGET_DIR="${S3S_FS_BUILD_DIR:-${TMPDIR:-/tmp}/s3s-fs-build}" \
        cargo install "s3s-fs@$version" --features binary --locked --root "$root"
    fi
    bin="$root/bin/s3s-fs"
  fi
fi
[[ -x "$bin" ]] || { echo "s3s-fs not executable: $bin" >&2; exit 1; }
echo "s3s-fs: $bin ($("$bin" --version))" >&2

S3S_FS_BIN="$bin" cargo test --all-features --test it -- upload_s3s:: "$@"
