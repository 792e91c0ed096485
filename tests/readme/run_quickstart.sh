#!/usr/bin/env bash
# Runs the README's quickstart block exactly as written against a real billing-host on a
# fresh temp database, then checks what the walk must leave behind: alice's balance, each
# order's end state, and a clean ledger audit.
#   run_quickstart.sh BILLING_HOST OTPDESK_SO OTPDESK_TOML README
set -euo pipefail
host_bin=$1 plugin=$2 plugin_config=$3 readme=$4
work=$(mktemp -d)
host_pid=
cleanup() {
  if [[ -n $host_pid ]] && kill -0 "$host_pid" 2>/dev/null; then kill -TERM "$host_pid"; wait "$host_pid" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

cat > "$work/billing.toml" <<TOML
[server]
port = 0
keep_alive_timeout_s = 2
[database]
url = "sqlite3://$work/billing.db"
[demo]
keys_file = "$work/demo-keys.env"
[operator]
key_file = "$work/operator.key"
[[plugins.policy]]
name = "otpdesk"
file = "$plugin"
config = "$plugin_config"
TOML

"$host_bin" --config "$work/billing.toml" > "$work/host.log" 2>&1 &
host_pid=$!
for _ in $(seq 100); do
  grep -q 'listening on' "$work/host.log" && break
  sleep 0.1
done
url=$(sed -n 's/^billing-host: listening on \(http:[^ ]*\)$/\1/p' "$work/host.log")
[[ -n $url ]] || { echo "billing-host did not start:"; cat "$work/host.log"; exit 1; }

# The block between the quickstart markers, without its ``` fence lines.
sed -n '/<!-- quickstart:begin/,/<!-- quickstart:end/p' "$readme" | sed '/^<!--/d;/^```/d' > "$work/quickstart.sh"
[[ -s $work/quickstart.sh ]] || { echo "no quickstart block in $readme"; exit 1; }
DEMO_KEYS=$work/demo-keys.env BILLING_URL=$url bash -euo pipefail "$work/quickstart.sh" | tee "$work/quickstart.out"

. "$work/demo-keys.env"
get() { curl -sf -H "Authorization: Bearer $SERVICE_KEY" "$url$1"; }
fail() { echo "FAILED: $*"; exit 1; }
account=$(get "/v1/accounts?external_ref=alice")
[[ $(jq '.data | length' <<<"$account") == 1 ]] || fail "alice's account: $account"
[[ $(jq '.data[0].balance_minor' <<<"$account") == 1200 ]] || fail "alice should have 1200 left: $account"
account_id=$(jq -r '.data[0].id' <<<"$account")
orders=$(get "/v1/orders?account_id=$account_id&limit=100")
states=$(jq -r '[.data[] | "\(.product):\(.state):\(.outcome)"] | sort | join(" ")' <<<"$orders")
expected="activation:cancelled:cancelled activation:completed:delivered activation:expired:not_delivered rental:ended:ended"
[[ $states == "$expected" ]] || fail "order end states: got '$states', want '$expected'"
grep -q '"code":"cancel_too_early"' "$work/quickstart.out" || fail "the early cancel was not refused with cancel_too_early"
grep -q '"code":"code_already_delivered"' "$work/quickstart.out" || fail "the delivered cancel was not refused"
grep -q '"code":"cancel_window_closed"' "$work/quickstart.out" || fail "the late rental cancel was not refused"

kill -TERM "$host_pid"; wait "$host_pid" || fail "billing-host did not exit 0 on SIGTERM"
host_pid=
"$host_bin" --config "$work/billing.toml" audit || fail "the audit is not clean"
echo "quickstart: OK"
