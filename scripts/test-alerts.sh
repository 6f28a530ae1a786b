#!/usr/bin/env bash
# The Prometheus configuration and rules in deploy/observability/prometheus, checked by promtool
# (Debian's `prometheus` package: apt-get install prometheus): config syntax, rule syntax, and the
# rules' unit tests. Fails, never skips, without promtool.
set -euo pipefail
cd "$(dirname "$0")/../deploy/observability/prometheus"
command -v promtool >/dev/null || { echo "test-alerts.sh: promtool not found (apt-get install prometheus)" >&2; exit 1; }
promtool --version 2>&1 | head -n 1
promtool check config prometheus.yml
promtool check rules rules/*.yml
promtool test rules tests/*.test.yml
