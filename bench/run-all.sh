#!/usr/bin/env bash
# Runs every measure of docs/benchmarks.md once, in its order, on this machine (about 25 minutes on 2 cores),
# and keeps what they print in bench/results/<date>.log (git ignores it). BenchmarkDotNet's own tables are in
# bench/Backgrounder.Benchmarks/BenchmarkDotNet.Artifacts/results/.
#
#   bench/run-all.sh                                   the template's source as it is
#   TemplateSource=/path/to/Company.WebApplication1 bench/run-all.sh --no-scaffold
#                                                      a candidate fix (a patched copy of the app's folder)
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
project="$repo/bench/Backgrounder.Benchmarks"
mkdir -p "$repo/bench/results"
log="$repo/bench/results/$(date -u +%Y-%m-%dT%H%M).log"

measure() {
  echo "## $* (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
  dotnet run -c Release --no-build --project "$project" -- "$@"
}

{
  echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, .NET SDK $(dotnet --version), git $(git -C "$repo" rev-parse --short HEAD)"
  echo "# template source: ${TemplateSource:-$repo/templates/bgweb/src/Company.WebApplication1}"
  lscpu | head -20
  command -v wrk >/dev/null || echo "wrk not found (apt-get install wrk): polling falls back to an HttpClient loop."

  dotnet build "$project" -c Release --nologo -v q
  measure --filter '*'
  measure polling
  measure output
  measure latency
  measure memory
  # Starts a redis-server of its own on a free loopback port (apt-get install redis-server) and stops it at the end.
  if command -v redis-server >/dev/null; then
    measure redis
    measure later
  else
    echo "redis-server not found (apt-get install redis-server): the Redis and later measures are skipped."
  fi
  # Scaffolding packs this checkout's templates: a patched copy elsewhere does not change it.
  if [ "${1:-}" != "--no-scaffold" ]; then
    "$repo/bench/scaffold.sh" 5
  fi
} 2>&1 | tee "$log"

echo "Kept in $log"
