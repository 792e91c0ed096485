#!/bin/sh
# run_fuzzer.sh FUZZER SEEDS WORK SECONDS [DICT]
#
# Fuzzes for SECONDS (BILLING_FUZZ_SECONDS in the environment wins) starting from the seeds in
# SEEDS, adding what it finds to WORK/corpus (kept between runs, never in the repo). A crash or a
# broken invariant is saved as WORK/crash-* (or leak-*, timeout-*) and shown in hex; the exit
# status is libFuzzer's. Prints one summary line of the final stats, and appends it to the file
# named by BILLING_FUZZ_REPORT when that is set.
set -eu
fuzzer=$1 seeds=$2 work=$3 seconds=${BILLING_FUZZ_SECONDS:-$4} dict=${5:-}
name=$(basename "$fuzzer")
mkdir -p "$work/corpus"
log="$work/last-run.log"

export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
status=0
# -timeout: one input running past 10 s is reported as a hang. -rss_limit_mb: a leak or a
# runaway allocation is reported, not left to take the machine's memory.
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/" ${dict:+-dict="$dict"} "$work/corpus" "$seeds" >"$log" 2>&1 || status=$?

# libFuzzer's last status line ("#N DONE cov: C ft: F corp: U/S ...") and its final stats.
done_line=$(grep -E '^#[0-9]+[[:space:]].* cov: ' "$log" | tail -n 1 || true)
stat() { grep -E "^stat::$1:" "$log" | tail -n 1 | awk '{print $2}'; }
cov=$(printf '%s\n' "$done_line" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
ft=$(printf '%s\n' "$done_line" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
corp=$(printf '%s\n' "$done_line" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
summary="$name: $(stat number_of_executed_units) executions in ${seconds} s ($(stat average_exec_per_sec)/s), cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}, exit $status"
echo "$summary"
if [ -n "${BILLING_FUZZ_REPORT:-}" ]; then echo "$summary" >>"$BILLING_FUZZ_REPORT"; fi

if [ "$status" -ne 0 ]; then
  tail -n 60 "$log"
  artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
  if [ -n "$artifact" ] && [ -f "$artifact" ]; then
    echo "input $artifact (hex):"
    od -An -tx1 -v "$artifact" | head -n 40
  fi
fi
exit "$status"
