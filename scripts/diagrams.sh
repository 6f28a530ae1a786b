#!/usr/bin/env bash
# Renders docs/architecture/*.puml to SVG with PlantUML (jar from Maven Central, cached under
# .cache/plantuml; the C4 library ships in PlantUML's standard library, so nothing else is fetched).
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=${PLANTUML_VERSION:-1.2025.10}
JAR=.cache/plantuml/plantuml-$VERSION.jar
command -v java >/dev/null || { echo "diagrams.sh: java is required" >&2; exit 1; }
if [ ! -s "$JAR" ]; then
  command -v mvn >/dev/null || { echo "diagrams.sh: mvn is required to fetch PlantUML" >&2; exit 1; }
  mvn -q -B dependency:copy -Dartifact="net.sourceforge.plantuml:plantuml:$VERSION" \
    -DoutputDirectory=.cache/plantuml -Dmaven.repo.local="$PWD/.cache/m2" >/dev/null
fi
java -Djava.awt.headless=true -jar "$JAR" -tsvg -failfast2 -nometadata docs/architecture/*.puml
echo "rendered: $(ls docs/architecture/*.svg | tr '\n' ' ')"
