#!/usr/bin/env bash
# alternate.sh ROUNDS 'COMMAND' ARM...: ROUNDS rounds; in each, every ARM in turn runs COMMAND (bash -c)
# with $B set to its build (a checkout with dist/ compiled) and $ARM to its name and round ("new-2").
# An ARM is NAME=BUILD, or NAME=BUILD,VAR=VALUE for one more variable in COMMAND's environment.
# Each run prints one line: the arm's name, the round, then COMMAND's output joined onto that line.
# Session 39's runs (FILLCPU: docs/bench-runs/2026-12-03-s30-reply-waves/fillcpu.sh; BASE: a checkout of
# 1dbe174; NEW: one of cce778a; INSTRUMENTED: 1dbe174 with instrument.patch; PLAIN: with
# ../2026-12-05-s39-bigint-json/plain-parts.patch):
#   fillcpu-100k.txt        alternate.sh 3 'bash $FILLCPU $B 100000' base=$BASE new=$NEW
#   fillcpu-100k-sizes.txt  alternate.sh 2 'bash $FILLCPU $B 100000' wb16=$INSTRUMENTED,RC_WB_MB=16 wb32=$INSTRUMENTED,RC_WB_MB=32 wb64=$INSTRUMENTED,RC_WB_MB=64
#   scale/                  alternate.sh 2 'cd $B && node dist/scripts/bench.js --scale --restarts 3 --out $OUT/$ARM > $OUT/$ARM.log 2>&1; echo rc $?' base=$BASE new=$NEW
#   bigint JSON's fillcpu-100k.txt and scale/: the same two commands (--restarts 1) with main=$NEW plain=$PLAIN
set -uo pipefail
rounds=$1
cmd=$2
shift 2
for i in $(seq 1 "$rounds"); do
  for arm in "$@"; do
    name=${arm%%=*}
    rest=${arm#*=}
    build=${rest%%,*}
    extra=()
    [ "$rest" != "$build" ] && extra=("${rest#*,}")
    echo "$name $i $(env "${extra[@]}" B="$build" ARM="$name-$i" bash -c "$cmd" 2>&1 | tr '\n' ' ')"
  done
done
