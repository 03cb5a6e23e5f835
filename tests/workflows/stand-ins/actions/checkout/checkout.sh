#!/usr/bin/env bash
# actions/checkout v7 on the host: a fresh clone of STANDIN_ORIGIN at the event's ref.
set -euo pipefail
: "${STANDIN_ORIGIN:?the act harness must pass --env STANDIN_ORIGIN=<bare repository>}"
dest="$GITHUB_WORKSPACE/$CHECKOUT_PATH"
ref="${CHECKOUT_REF:-$GITHUB_REF}"
# v7: a pull request's code is refused where the job holds the base repository's token
case "$GITHUB_EVENT_NAME:$ref" in
  pull_request_target:refs/pull/* | workflow_run:refs/pull/*)
    if [ "$CHECKOUT_ALLOW_UNSAFE_PR" != "true" ]; then
      echo "::error::refusing to check out $ref on $GITHUB_EVENT_NAME (allow-unsafe-pr-checkout is false)"
      exit 1
    fi ;;
esac
mkdir -p "$dest"
find "$dest" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
git init -q "$dest"
cd "$dest"
git remote add origin "$STANDIN_ORIGIN"
if [ "$CHECKOUT_DEPTH" = "0" ]; then
  git fetch -q --tags origin '+refs/heads/*:refs/remotes/origin/*'
  git fetch -q origin "+$ref"
else
  git fetch -q --depth "$CHECKOUT_DEPTH" origin "+$ref"
fi
git checkout -q --detach FETCH_HEAD
if [ "$CHECKOUT_PERSIST" = "true" ]; then
  git config http.extraheader "AUTHORIZATION: basic stand-in-credentials"
fi
echo "checked out $ref at $(git rev-parse HEAD) into $dest"
echo "ref=$ref" >> "$GITHUB_OUTPUT"
echo "commit=$(git rev-parse HEAD)" >> "$GITHUB_OUTPUT"
