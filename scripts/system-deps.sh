#!/usr/bin/env bash
# Installs the system packages the tests need (Debian): Chromium for the browser tests,
# a JDK for Spark, Node.js/npm for Neo4j's Cypher linter, a C compiler for the engine's C
# kernels (tests check they are built), ICU for CooRTweet-compatible string order (R's
# collation). Does nothing when all are there.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v java >/dev/null 2>&1 || need+=(default-jdk-headless)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
command -v gcc >/dev/null 2>&1 || need+=(gcc libc6-dev)
ldconfig -p 2>/dev/null | grep -q libicui18n || need+=(libicu-dev)  # detect --compat --collation icu
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != "0" ]; then
  echo "missing system packages: ${need[*]} (run as root, or: sudo apt-get install ${need[*]})" >&2
  exit 1
fi
echo "installing system packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
