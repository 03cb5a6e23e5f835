#!/usr/bin/env bash
# actions/checkout on the host: a fresh clone of STANDIN_ORIGIN at the event's ref.
set -euo pipefail
: "${STANDIN_ORIGIN:?the act harness must pass --env STANDIN_ORIGIN=<bare repository>}"
dest="$GITHUB_WORKSPACE/$CHECKOUT_PATH"
ref="${CHECKOUT_REF:-$GITHUB_REF}"
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
