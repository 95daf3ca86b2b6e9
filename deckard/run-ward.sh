#!/bin/sh
# Starts Ward the way CZ.NIC Deckard runs a resolver: in the working directory Deckard made (where
# it rendered ward.yaml), with Deckard's arguments (`--config ward.yaml`), in the foreground. `exec`
# makes Node the process Deckard signals: SIGTERM stops Ward with exit status 0.
# WARD_MAIN overrides the built entry point (default: dist/src/main.js beside this folder).
# libfaketime: Deckard's environment (LD_PRELOAD, FAKETIME_TIMESTAMP_FILE, FAKETIME_NO_CACHE=1)
# passes through. The monotonic clock is left real (DONT_FAKE_MONOTONIC=1): Node aborts when a faked
# monotonic clock goes back ("Assertion failed: (now) >= (timer_base())"), and everything in Ward that
# must follow TIME_PASSES (cache TTLs, signature validity, server back-off, the UDP microcache) reads
# the wall clock, which libfaketime still fakes.
set -eu
export DONT_FAKE_MONOTONIC=1
here=$(dirname "$(readlink -f "$0")")
main=${WARD_MAIN:-"$here/../dist/src/main.js"}
exec "${WARD_NODE:-node}" "$main" "$@"
