#!/usr/bin/env bash
# Installs what the project needs on a fresh Debian machine; safe to run again (fast when done).
#   scripts/bootstrap.sh server   # just the server, for `make run`
#   scripts/bootstrap.sh all      # everything `make test` needs
#   scripts/bootstrap.sh bench    # and what bench/oauth.py needs on top
set -euo pipefail
cd "$(dirname "$0")/.."

what="${1:-all}"
venv=.venv
uv_version=0.13.8

log() { printf 'bootstrap: %s\n' "$*" >&2; }

apt_install() {
  # Debian packages the tests start for real: PostgreSQL and Redis servers, a JRE for
  # openapi-generator (the Dart target), and Chromium for the browser tests (Playwright drives
  # the system browser; it cannot download its own here).
  local missing=()
  local have_pg=0
  { compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null; } && have_pg=1
  # As root the tests run PostgreSQL as the `postgres` user, which Debian's package creates.
  if ((!have_pg)) || { [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; }; then
    missing+=(postgresql)
  fi
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v java >/dev/null || missing+=(default-jre-headless)
  command -v chromium >/dev/null || missing+=(chromium)
  command -v runuser >/dev/null || missing+=(util-linux)
  if ((${#missing[@]})); then
    if [[ $(id -u) -ne 0 ]]; then
      log "missing Debian packages: ${missing[*]}; install them (sudo apt-get install ${missing[*]}) and rerun"
      exit 1
    fi
    log "apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # Debian starts the packaged services; the tests run their own on free ports instead.
    (service postgresql stop; service redis-server stop) >/dev/null 2>&1 || true
  fi
}

python_env() {
  [[ -x $venv/bin/python ]] || { log "creating $venv"; python3 -m venv "$venv"; }
  [[ -x $venv/bin/uv ]] || "$venv/bin/pip" install -q "uv==$uv_version"
  local uv=("$venv/bin/uv" pip install --python "$venv/bin/python" -q)
  if [[ $what == server ]]; then
    "${uv[@]}" -c requirements/dev.txt -e server
  else
    "${uv[@]}" -r requirements/dev.txt -e server -e sdks/python
  fi
}

npm_ci() {
  # npm ci wipes node_modules; only run it when the lock file changed since the last install.
  local dir=$1
  if [[ ! -f $dir/node_modules/.package-lock.json || $dir/package-lock.json -nt $dir/node_modules/.package-lock.json ]]; then
    log "npm ci in $dir"
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
  fi
}

case $what in
  server)
    python_env
    ;;
  all)
    apt_install
    python_env
    npm_ci codegen
    npm_ci sdks/typescript
    npm_ci sdks/react          # links sdks/typescript (file:), so after it
    npm_ci sdks/react/example
    npm_ci tests/interop/node
    npm_ci tests/browser       # axe-core, which the browser tests inject into the hosted pages
    (cd codegen/gotools && go mod download)
    (cd sdks/go && go mod download)
    (cd tests/interop/go && go mod download)
    ;;
  bench)
    # What bench/ needs beyond `all`: panva's oidc-provider, which bench/oauth.py runs next to
    # Janua (the benchmarks print numbers and are not part of `make test`).
    npm_ci bench/oidc-provider
    ;;
  *)
    log "usage: $0 server|all|bench"
    exit 2
    ;;
esac
