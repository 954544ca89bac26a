#!/bin/sh
# Installs the Debian packages that building and testing kto need, and only
# those that are missing, so that `make demo` and `make check` work on a fresh
# Debian 12 machine.  Safe to run again: with nothing missing it does nothing.
#
# Usage: scripts/install-deps.sh [build|test|all|fuzz|bench]   (default: all)
set -eu

want=${1:-all}

# Packages, one per concern.  pkg-config names the libraries; the -dev
# packages bring the headers and .pc files.
build_pkgs="build-essential cmake pkg-config libsqlite3-dev libmicrohttpd-dev \
libcurl4-openssl-dev libpcre2-dev libgsl-dev libsodium-dev libqrencode-dev \
libcairo2-dev libpango1.0-dev fonts-dejavu-core libreadstat-dev libjansson-dev"
# python3-aiosmtpd and postfix (for smtp-sink and smtp-source) are the real
# SMTP servers the mail tests and benchmark talk to (DESIGN.md section 3).
# chromium (with Node.js for playwright-core and axe-core from npm) runs the
# browser tests of the questionnaire.  R with its survey package recomputes
# the statistics' reference values (tests/stats) and is the baseline of
# the statistics benchmark.  r-cran-haven and r-cran-foreign read the
# exported SPSS .sav files back as analysts will (tests/integration/export.py);
# foreign's reader is independent of the ReadStat library kto writes with.
# openssl makes the self-signed certificates of the TLS tests (tls.sh,
# smtp_hostile.sh).
test_pkgs="libcmocka-dev sqlite3 python3 python3-aiosmtpd postfix curl chromium poppler-utils \
r-base-core r-cran-survey r-cran-haven r-cran-foreign openssl"
# libFuzzer comes with clang's runtime; only `make fuzz` needs it.  afl++
# (two small packages) runs the same harnesses under AFL++ (README).
fuzz_pkgs="clang libclang-rt-14-dev afl++"
# The web benchmark's load generator and its baseline server; the others
# use sqlite3 and postfix's smtp-sink and smtp-source.
bench_pkgs="wrk nginx-light sqlite3 postfix util-linux r-base-core r-cran-survey"

case $want in
  build) pkgs=$build_pkgs ;;
  test|all) pkgs="$build_pkgs $test_pkgs" ;;
  fuzz) pkgs="$build_pkgs $fuzz_pkgs" ;;
  bench) pkgs="$build_pkgs $bench_pkgs" ;;
  *) echo "usage: $0 [build|test|all|fuzz|bench]" >&2; exit 2 ;;
esac

# Node.js: any installed one will do (it may not come from Debian).
case $want in
  test|all)
    command -v node >/dev/null 2>&1 || pkgs="$pkgs nodejs"
    command -v npm >/dev/null 2>&1 || pkgs="$pkgs npm" ;;
esac

# The browser tests' npm packages, as package-lock.json pins them.
npm_packages() {
  case $want in test|all) ;; *) return 0 ;; esac
  dir=$(cd "$(dirname "$0")/.." && pwd)/tests/browser
  if [ ! -f "$dir/node_modules/.package-lock.json" ] ||
     ! cmp -s "$dir/package-lock.json" "$dir/node_modules/.kto-lock"; then
    echo "kto: installing the browser tests' npm packages"
    if ! (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null); then
      echo "kto: 'npm ci' failed in $dir; check the network or the npm registry" >&2
      exit 1
    fi
    cp "$dir/package-lock.json" "$dir/node_modules/.kto-lock"
  fi
}

missing=""
for p in $pkgs; do
  # dpkg-query prints "install ok installed" only for a fully installed package.
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  npm_packages
  exit 0
fi

echo "kto: installing missing Debian packages:$missing"
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "kto: these packages are missing:$missing" >&2
    echo "kto: run as root, or install them with: apt-get install$missing" >&2
    exit 1
  fi
else
  SUDO=""
fi

export DEBIAN_FRONTEND=noninteractive
# Postfix is installed for its test tools only: no mail system is set up.
case " $missing " in
*" postfix "*)
  echo "postfix postfix/main_mailer_type select No configuration" |
    $SUDO debconf-set-selections ;;
esac
if ! $SUDO apt-get update -qq; then
  echo "kto: 'apt-get update' failed; check the network or the apt sources" >&2
  exit 1
fi
# shellcheck disable=SC2086  # word splitting of the package list is intended
if ! $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null; then
  echo "kto: could not install:$missing" >&2
  echo "kto: try by hand: apt-get install$missing" >&2
  exit 1
fi
echo "kto: packages installed"
npm_packages
