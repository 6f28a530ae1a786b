#!/usr/bin/env bash
# Offline Helm and manifest validation for deploy/helm/cinemaabyss, without downloading any binary:
# helm comes from PATH, or is compiled from its Go module (through the Go module proxy) into
# .cache/bin/helm; manifest-check is compiled from tools/manifest-check into .cache/bin/manifest-check.
#
#   bash scripts/helm.sh <helm arguments...>      # e.g. bash scripts/helm.sh lint --strict deploy/helm/cinemaabyss --set postgresql.auth.password=x
#   bash scripts/helm.sh check [file|- ...]       # validate rendered manifests (stdin when no file) against the K8s/Istio API types
#   bash scripts/helm.sh verify                   # lint + render the default chart + the deploy/istio files through manifest-check
#   bash scripts/helm.sh tools                    # build (or find) both tools and print their paths and versions
#
# Env: HELM_BIN (use this helm), HELM_FROM_SOURCE=1 (ignore a helm on PATH, use the pinned build),
#      GO (the go command; default: go on PATH, else /usr/local/go/bin/go).
# Go state stays in the git-ignored .cache/: GOPATH=.cache/go (module cache .cache/go/pkg/mod), GOCACHE=.cache/go/build.
# Progress goes to stderr; stdout belongs to the tool that is exec'ed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HELM_VERSION="v4.3.1"                      # exact pin; `go install` verifies it against sum.golang.org
HELM_MODULE="helm.sh/helm/v4"
BIN="$ROOT/.cache/bin"
CHECK_SRC="$ROOT/tools/manifest-check"
CHART="$ROOT/deploy/helm/cinemaabyss"

say() { echo "helm.sh: $*" >&2; }
die() { say "$*"; exit 1; }

go_env() {
  GO="${GO:-$(command -v go || true)}"
  [[ -n "$GO" ]] || GO=/usr/local/go/bin/go
  [[ -x "$GO" ]] || die "no Go toolchain (looked for 'go' on PATH and /usr/local/go/bin/go); install Go 1.26+ or set GO=/path/to/go"
  export GOPATH="$ROOT/.cache/go" GOCACHE="$ROOT/.cache/go/build" GOMODCACHE="$ROOT/.cache/go/pkg/mod"
  # -modcacherw: keep the module cache deletable with rm -rf .cache
  export GOFLAGS="-mod=mod -modcacherw" CGO_ENABLED=0
  mkdir -p "$BIN" "$GOCACHE"
}

# One build at a time (parallel test processes share .cache/bin).
with_lock() {
  mkdir -p "$BIN"
  exec {lock_fd}>"$BIN/.build.lock"
  flock "$lock_fd"
  "$@"
  flock -u "$lock_fd"
  exec {lock_fd}>&-
}

pinned_helm_ok() { [[ -x "$BIN/helm" ]] && [[ "$("$BIN/helm" version --template '{{.Version}}' 2>/dev/null)" == "$HELM_VERSION" ]]; }

build_helm() {
  pinned_helm_ok && return 0
  go_env
  say "building helm $HELM_VERSION from $HELM_MODULE (go install; takes a few minutes cold) ..."
  local started=$SECONDS tmp="$BIN/.helm-build.$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  if ! GOBIN="$tmp" "$GO" install -trimpath \
      -ldflags "-s -w -X $HELM_MODULE/internal/version.version=$HELM_VERSION" \
      "$HELM_MODULE/cmd/helm@$HELM_VERSION" >&2; then
    rm -rf "$tmp"
    die "could not build helm $HELM_VERSION with $("$GO" version) (needs the Go module proxy and Go >= 1.26)"
  fi
  mv -f "$tmp/helm" "$BIN/helm" && rm -rf "$tmp"
  pinned_helm_ok || die "built $BIN/helm but it does not report $HELM_VERSION"
  say "helm $HELM_VERSION built in $((SECONDS - started)) s -> ${BIN#"$ROOT"/}/helm"
}

find_helm() {
  if [[ -n "${HELM_BIN:-}" ]]; then
    [[ -x "$HELM_BIN" ]] || die "HELM_BIN=$HELM_BIN is not executable"
    HELM="$HELM_BIN"; return
  fi
  if [[ "${HELM_FROM_SOURCE:-0}" != 1 ]] && command -v helm >/dev/null 2>&1; then
    HELM="$(command -v helm)"
    local v; v="$("$HELM" version --template '{{.Version}}' 2>/dev/null || true)"
    # Charts use JSON-schema features older helms don't know; accept v3.18+ and v4.
    if [[ "$v" =~ ^v(3\.(1[89]|[2-9][0-9])|[4-9])\. ]]; then return; fi
    say "ignoring $HELM (version '${v:-unknown}', need v3.18+); using the pinned build"
  fi
  with_lock build_helm
  HELM="$BIN/helm"
}

check_stamp() { (cd "$CHECK_SRC" && cat go.mod go.sum $(find . -name '*.go' | sort) | sha256sum | cut -c1-16); }

build_check() {
  local want; want="$(check_stamp)"
  [[ -x "$BIN/manifest-check" && "$(cat "$BIN/.manifest-check.stamp" 2>/dev/null)" == "$want" ]] && return 0
  go_env
  say "building manifest-check from tools/manifest-check ..."
  local started=$SECONDS
  # -mod=readonly: the pinned go.sum must already be complete; a drift is an error, not a silent update.
  (cd "$CHECK_SRC" && "$GO" build -mod=readonly -trimpath -ldflags "-s -w" -o "$BIN/manifest-check.tmp.$$" .) >&2 \
    || die "could not build tools/manifest-check"
  mv -f "$BIN/manifest-check.tmp.$$" "$BIN/manifest-check"
  echo "$want" >"$BIN/.manifest-check.stamp"
  say "manifest-check built in $((SECONDS - started)) s -> ${BIN#"$ROOT"/}/manifest-check"
}

cmd="${1:-}"
case "$cmd" in
  check)
    shift
    with_lock build_check
    exec "$BIN/manifest-check" "$@"
    ;;
  tools)
    find_helm
    with_lock build_check
    echo "helm: $HELM ($("$HELM" version --template '{{.Version}}'))"
    echo "manifest-check: $BIN/manifest-check"
    ;;
  verify)
    find_helm
    with_lock build_check
    pw="verify-$RANDOM$RANDOM"
    "$HELM" lint --strict "$CHART" --set "postgresql.auth.password=$pw" >&2
    "$HELM" template cinemaabyss "$CHART" -n cinemaabyss --set "postgresql.auth.password=$pw" \
      | "$BIN/manifest-check" --pod-security restricted --name "chart (defaults)" -
    "$HELM" template cinemaabyss "$CHART" -n cinemaabyss --set "postgresql.auth.password=$pw" --set istio.enabled=true \
      --set istio.trafficSplit.enabled=true --set istio.trafficSplit.mirror.enabled=true \
      | "$BIN/manifest-check" --name "chart (istio)" -
    # The standalone Istio files must name hosts and ports the chart really creates. One at a
    # time: the split and the mirror VirtualServices are alternatives with the same name.
    chart="$("$HELM" template cinemaabyss "$CHART" -n cinemaabyss --set "postgresql.auth.password=$pw")"
    for f in "$ROOT"/deploy/istio/*.yaml; do
      "$BIN/manifest-check" --name "chart + ${f#"$ROOT"/}" - "$f" <<<"$chart"
    done
    ;;
  "")
    die "usage: bash scripts/helm.sh <helm args...> | check [files] | verify | tools"
    ;;
  *)
    find_helm
    exec "$HELM" "$@"
    ;;
esac
