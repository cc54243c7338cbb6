#!/bin/bash
# Review repro (s35-rev): a healthy catalog refused when the table check cannot instantiate its
# WebAssembly CRC (a virtual-memory limit below about 10 GB: V8 reserves 8 GiB + guards per Wasm
# memory; or node --jitless / NODE_OPTIONS=--jitless, which removes WebAssembly). A fresh directory
# still starts (no CURRENT: no check), so only restarts fail.
cd /tmp/s35-rev && rm -rf db1 && node repro/mkdb.mjs /tmp/s35-rev/db1 60000 >/dev/null
echo "no limit:";            node repro/open-store.mjs /tmp/s35-rev/db1 | cut -c1-200
echo "ulimit -v 8000000:";   (ulimit -v 8000000; node repro/open-store.mjs /tmp/s35-rev/db1 | cut -c1-200)
echo "--jitless:";           node --jitless repro/open-store.mjs /tmp/s35-rev/db1 2>/dev/null | cut -c1-200
