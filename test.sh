#!/usr/bin/env bash
# Runs every test: the pack's end-to-end tests and the template's own tests. Arguments go on to `dotnet test`.
# The .NET SDK is all a newcomer brings; what else the tests need (Debian packages) is installed here when
# missing, or named in one line when it cannot be. .ci/run calls this script, so CI installs the same way.
set -euo pipefail
cd "$(dirname "$0")"

# Prints one line saying what to install, then stops: the only way out when something cannot be installed here.
install_first() {
  echo "test.sh: install $1 first, then run ./test.sh again." >&2
  exit 2
}

# A command on PATH that can run (bash's `command -v` also answers with files it cannot run).
have() {
  local path
  path="$(command -v "$1")" && [ -x "$path" ]
}

have dotnet || install_first "the .NET 10 SDK (dotnet)"

# The browser tests drive Debian's chromium through Playwright, which never downloads a browser of its own;
# the Redis job store's tests run redis-server; the load balancer tests put nginx in front of two nodes.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
have redis-server || missing+=(redis-server)
[ -x /usr/sbin/nginx ] || missing+=(nginx)

if [ "${#missing[@]}" -gt 0 ]; then
  what="${missing[*]} (on Debian: apt-get install ${missing[*]})"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    have sudo || install_first "$what"
    sudo="sudo"
  fi
  have apt-get || install_first "$what"
  echo "test.sh: installing ${missing[*]} with apt-get" >&2
  # env, not a prefix assignment: sudo drops the caller's environment.
  { $sudo apt-get update -qq &&
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; } ||
    install_first "$what"
fi

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
exec dotnet test Backgrounder.Templates.slnx "$@"
