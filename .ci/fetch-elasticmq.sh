#!/usr/bin/env bash
# Fetch ElasticMQ's server and its dependencies from Maven Central (cached by version).
# Prints the directory holding the jars on stdout.
set -euo pipefail
version="${ELASTICMQ_VERSION:-1.6.16}"
cache="${THAW_CACHE:-$HOME/.cache/thaw}"
lib="$cache/elasticmq-$version/lib"
if [ -f "$lib/.complete" ]; then echo "$lib"; exit 0; fi
command -v mvn >/dev/null || { echo "fetch-elasticmq: mvn is not installed" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.thaw</groupId><artifactId>elasticmq-fetch</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>org.elasticmq</groupId><artifactId>elasticmq-server_2.13</artifactId><version>$version</version></dependency>
  </dependencies>
</project>
POM
echo "fetch-elasticmq: fetching elasticmq-server $version from Maven Central" >&2
mkdir -p "$lib"
(cd "$work" && mvn -B -q dependency:copy-dependencies -DoutputDirectory="$lib") >&2
touch "$lib/.complete"
echo "$lib"
