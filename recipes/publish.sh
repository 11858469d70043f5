#!/usr/bin/env bash
# Build and publish to any host that takes files: a plain nginx over SSH, a mounted share, S3.
#
#   DEST=user@may-chu:/var/www/phuong  recipes/publish.sh        # rsync over SSH (or a local folder)
#   S3_BUCKET=s3://trang-tin-phuong    recipes/publish.sh        # needs the aws command
#
# Optional: BASE_URL (else site.yaml's base_url), SITE (default .), OUT (default $SITE/public).
# Stops at the first failure; a content error or broken link publishes nothing.
set -euo pipefail

SITE="${SITE:-.}"
OUT="${OUT:-$SITE/public}"
build_args=(--site "$SITE" --out "$OUT")
if [[ -n "${BASE_URL:-}" ]]; then
  build_args+=(--base-url "$BASE_URL")
fi

# The build checks everything first (content, templates, links) and writes nothing on an error.
phuongnews build "${build_args[@]}"

if [[ -n "${DEST:-}" ]]; then
  # --delete removes pages of deleted posts; the marker file stays private to the build folder.
  # Unchanged pages keep their dates across builds, so only changed files are sent.
  rsync -a --delete --exclude .phuongnews-output "$OUT/" "$DEST/"
elif [[ -n "${S3_BUCKET:-}" ]]; then
  aws s3 sync --delete --exclude .phuongnews-output "$OUT/" "$S3_BUCKET/"
else
  echo "Đã dựng vào $OUT. Đặt DEST hoặc S3_BUCKET để đăng lên máy chủ." >&2
fi
