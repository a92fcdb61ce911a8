#!/usr/bin/env bash
# Measure 6: `dotnet new bgweb --tests false` + first `dotnet build`, against `dotnet new web` + first build,
# in the same run. Packs this checkout's templates, installs them into a private hive (the user's own
# `dotnet new` settings are not touched), then times RUNS pairs, alternating which goes first, after one
# unmeasured pair that warms the build servers and caches for both alike. Prints the medians and their ratio.
#
#   bench/scaffold.sh [RUNS]        (default 5)
set -euo pipefail

runs="${1:-5}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet pack "$repo/Templates.csproj" -o "$work/pkg" --nologo -v q >/dev/null
hive="$work/hive"
dotnet new install "$(ls "$work"/pkg/Backgrounder.Templates.*.nupkg)" --debug:custom-hive "$hive" >/dev/null

# Milliseconds to scaffold into $1 with `dotnet new ${@:2}` and build the result once.
scaffold_and_build() {
  local dir="$1"; shift
  local start end
  start=$(date +%s%N)
  dotnet new "$@" -o "$dir" --debug:custom-hive "$hive" >/dev/null
  dotnet build "$dir" --nologo -v q >/dev/null
  end=$(date +%s%N)
  echo $(((end - start) / 1000000))
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

ours=()
baseline=()
for run in $(seq 0 "$runs"); do
  if ((run % 2 == 0)); then
    o=$(scaffold_and_build "$work/bgweb$run" bgweb --tests false -n "Bgweb$run")
    b=$(scaffold_and_build "$work/web$run" web -n "Web$run")
  else
    b=$(scaffold_and_build "$work/web$run" web -n "Web$run")
    o=$(scaffold_and_build "$work/bgweb$run" bgweb --tests false -n "Bgweb$run")
  fi

  if ((run == 0)); then
    echo "warm-up: bgweb ${o} ms, web ${b} ms (not counted)"
    continue
  fi

  echo "run $run: bgweb ${o} ms, web ${b} ms"
  ours+=("$o")
  baseline+=("$b")
done

ours_median=$(printf '%s\n' "${ours[@]}" | median)
baseline_median=$(printf '%s\n' "${baseline[@]}" | median)
ratio=$(awk -v o="$ours_median" -v b="$baseline_median" 'BEGIN { printf "%.2f", o / b }')

echo
echo "| measure | ours | baseline | ours/baseline |"
echo "|---|---:|---:|---:|"
echo "| dotnet new + first dotnet build, median of $runs (lower is better) | ${ours_median} ms (bgweb --tests false) | ${baseline_median} ms (dotnet new web) | ${ratio} |"
