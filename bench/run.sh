#!/usr/bin/env bash
# Runs every benchmark of bench/README.md in one go and writes docs/benchmarks.md.
#
#   bench/run.sh                 everything: product, floor, old stack (when installable), growth
#   bench/run.sh --quick         shorter runs, growth up to 10^5 tokens only (a smoke test whose
#                                report goes to bench/results/<time>/benchmarks.md)
#   bench/run.sh --no-peer       skip the django-oauth-toolkit peer
#   bench/run.sh --no-growth     skip the growth table
#
# Environment: BENCH_DURATION (seconds per measurement, default 10), BENCH_WARMUP (default 10),
# BENCH_CONNECTIONS (default 32), BENCH_PORT_BASE (default 8201: product, +1 floor, +2 peer),
# BENCH_PEER_DIR (default ../shared/peers/django-dot beside the repository).
# Benchmarks print numbers; the script fails only when a step cannot run, never on speed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
QUICK=0 PEER=1 GROWTH=1
for arg in "$@"; do
  case "$arg" in
    --quick) QUICK=1 ;;
    --no-peer) PEER=0 ;;
    --no-growth) GROWTH=0 ;;
    *) echo "unknown option: $arg (see the header of $0)" >&2; exit 2 ;;
  esac
done

DURATION="${BENCH_DURATION:-10}"
WARMUP="${BENCH_WARMUP:-10}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
THREADS=2
GROWTH_SIZES=(1000 100000 1000000)
if [[ "$QUICK" == 1 ]]; then
  DURATION="${BENCH_DURATION:-3}" WARMUP="${BENCH_WARMUP:-1}" GROWTH_SIZES=(1000 100000)
fi
GROWTH_DURATION=$(( DURATION > 5 ? DURATION / 2 : DURATION ))
PORT_BASE="${BENCH_PORT_BASE:-8201}"
PRODUCT_URL="http://127.0.0.1:$PORT_BASE"
FLOOR_URL="http://127.0.0.1:$((PORT_BASE + 1))"
PEER_URL="http://127.0.0.1:$((PORT_BASE + 2))"

OUT="$ROOT/bench/results/$(date -u +%Y%m%dT%H%M%SZ)"
RESULTS="$OUT/results.jsonl"
mkdir -p "$OUT"
: > "$RESULTS"
LOG="$OUT/run.log"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

CC_BODY="grant_type=client_credentials&client_id=ref-cc-client&client_secret=ref-cc-secret-0123456789abcdef0123456789abcdef&scope=read"
WEB_CLIENT="client_id=ref-web-client&client_secret=ref-web-secret-0123456789abcdef0123456789abcdef"
PIDS=()

say() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" | tee -a "$LOG" >&2; }
as_root() { if [[ "$(id -u)" -eq 0 ]]; then "$@"; else sudo -n "$@"; fi; }

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [[ -n "${PEER_DIR:-}" && -f "$PEER_DIR/run/gunicorn.pid" ]]; then "$PEER_DIR/stop.sh" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

install_tools() {
  if ! command -v wrk >/dev/null; then
    say "installing wrk (Debian package)"
    as_root apt-get update -qq >>"$LOG" 2>&1 && as_root apt-get install -y -qq wrk >>"$LOG" 2>&1
  fi
  PEER_SOURCE="${BENCH_PEER_DIR:-$ROOT/../shared/peers/django-dot}"
  if [[ "$PEER" == 1 && ! -x "$PEER_SOURCE/start.sh" ]]; then
    say "skipping the old stack: $PEER_SOURCE not found"
    PEER=0
  fi
  if [[ "$PEER" == 1 ]] && ! /usr/bin/python3 -c 'import django, rest_framework, oauth2_provider, gunicorn' 2>/dev/null; then
    say "installing the old stack's Debian packages"
    if ! { as_root apt-get update -qq && as_root apt-get install -y -qq python3-django python3-djangorestframework \
        python3-django-oauth-toolkit python3-gunicorn; } >>"$LOG" 2>&1; then
      say "skipping the old stack: its Debian packages could not be installed (see $LOG)"
      PEER=0
    fi
  fi
}

build() {
  say "publishing the product, building the floor and the bench tool in Release"
  # Published, as deployed: from its build folder the host checks the disk for a static file on
  # every request. The folder is inside the repository, so appsettings.Development.json is found.
  dotnet publish -c Release "$ROOT/OpenBanking.Web/OpenBanking.Web.csproj" -o "$OUT/product" >>"$LOG" 2>&1
  dotnet build -c Release "$ROOT/bench/Tool/OpenBanking.Bench.Tool.csproj" >>"$LOG" 2>&1
  dotnet build -c Release "$ROOT/bench/Floor/OpenBanking.Bench.Floor.csproj" >>"$LOG" 2>&1
  TOOL=(dotnet "$ROOT/bench/Tool/bin/Release/net10.0/OpenBanking.Bench.Tool.dll")
}

# port_free URL: stops the run when something already listens there, which would be measured
# in place of the server this script starts.
port_free() {
  if curl -s -o /dev/null --max-time 2 "$1/"; then
    say "another process already listens at $1: stop it or set BENCH_PORT_BASE"
    exit 1
  fi
}

wait_for_401() {
  local url="$1" pid="$2"
  for _ in $(seq 1 240); do
    if [[ "$(curl -s -o /dev/null -w '%{http_code}' "$url/api/balance/" || true)" == 401 ]]; then return 0; fi
    kill -0 "$pid" 2>/dev/null || { say "the server at $url exited while starting"; return 1; }
    sleep 0.5
  done
  say "the server at $url did not answer within 120 s"
  return 1
}

# start_product DATABASE: starts the published product in Development (which seeds the load-test
# client and the customer) on its own database file, and waits until it responds. The per-address
# rate limits are off: every request of the load generator comes from one loopback address.
start_product() {
  local database="$1"
  port_free "$PRODUCT_URL"
  ( cd "$OUT/product" && exec env ASPNETCORE_ENVIRONMENT=Development \
      "ConnectionStrings__OpenBanking=Data Source=$database" \
      RateLimiting__Enabled=false \
      dotnet OpenBanking.Web.dll --urls "$PRODUCT_URL" ) >>"$OUT/product.log" 2>&1 &
  PRODUCT_PID=$!
  PIDS+=("$PRODUCT_PID")
  wait_for_401 "$PRODUCT_URL" "$PRODUCT_PID"
}

stop_product() {
  kill "$PRODUCT_PID" 2>/dev/null || true
  wait "$PRODUCT_PID" 2>/dev/null || true
}

# rss_kb PID...: the summed resident set of the processes, in KiB.
rss_kb() {
  local total=0 pid value
  for pid in "$@"; do
    value=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    total=$(( total + ${value:-0} ))
  done
  echo "$total"
}

# measure GROUP NAME URL PIDS -- ENV...: one warm-up run, then one measured run of wrk with
# bench/wrk/scenario.lua, sampling the servers' resident memory every 200 ms. Appends a JSON
# line to results.jsonl.
measure() {
  local group="$1" name="$2" url="$3" pids="$4"; shift 5
  local peak=0 sample output line
  say "$group / $name: ${MEASURE_SECONDS:-$DURATION}s at $CONNECTIONS connections"
  # A refresh token works once, so the warm-up spends its own pool (refresh_tokens-warmup.txt).
  local warmup_env=("${@/refresh_tokens.txt/refresh_tokens-warmup.txt}")
  env "${warmup_env[@]}" BENCH_THREADS="$THREADS" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" \
    -s "$ROOT/bench/wrk/scenario.lua" "$url" >>"$LOG" 2>&1 || true
  env "$@" BENCH_THREADS="$THREADS" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${MEASURE_SECONDS:-$DURATION}s" --latency \
    -s "$ROOT/bench/wrk/scenario.lua" "$url" >"$OUT/wrk-$group-$name.txt" 2>&1 &
  local wrk_pid=$!
  while kill -0 "$wrk_pid" 2>/dev/null; do
    # shellcheck disable=SC2086
    sample=$(rss_kb $pids)
    (( sample > peak )) && peak=$sample
    sleep 0.2
  done
  wait "$wrk_pid" || true
  line=$(grep '^BENCH ' "$OUT/wrk-$group-$name.txt" | head -n 1 | cut -c7-)
  if [[ -z "$line" ]]; then
    say "wrk printed no result for $group / $name; see $OUT/wrk-$group-$name.txt"
    line='{"requests":0,"seconds":0,"rps":0,"p50_ms":0,"p99_ms":0,"max_ms":0,"socket_errors":0,"timeouts":0,"unexpected_status":0,"pool_empty":0}'
  fi
  output="{\"group\":\"$group\",\"scenario\":\"$name\",\"connections\":$CONNECTIONS,\"peak_rss_kb\":$peak,${line:1}"
  echo "$output" >>"$RESULTS"
  say "  $(echo "$line" | grep -o '"rps":[0-9.]*'), $(echo "$line" | grep -o '"p99_ms":[0-9.]*'), peak RSS $((peak / 1024)) MiB"
}

# product_scenarios GROUP POOL: the four product measurements on a running product.
product_scenarios() {
  local group="$1" pool="$2"
  measure "$group" balance "$PRODUCT_URL/api/balance/" "$PRODUCT_PID" -- \
    BENCH_BEARER_FILE="$pool/access_tokens.txt"
  measure "$group" client_credentials "$PRODUCT_URL/o/token/" "$PRODUCT_PID" -- \
    BENCH_METHOD=POST BENCH_PATH=/o/token/ BENCH_BODY="$CC_BODY"
  measure "$group" refresh_token "$PRODUCT_URL/o/token/" "$PRODUCT_PID" -- \
    BENCH_PATH=/o/token/ BENCH_REFRESH_FILE="$pool/refresh_tokens.txt" BENCH_CLIENT="$WEB_CLIENT"
  if [[ "$group" == product ]]; then
    measure "$group" balance_no_token "$PRODUCT_URL/api/balance/" "$PRODUCT_PID" -- BENCH_EXPECT=401
  fi
}

# prepare_pool URL DIR COMMAND: access tokens for the balance read, and two pools of refresh
# tokens (warm-up and measurement), each four per connection so that a lost response
# (a timeout) does not leave a connection without tokens.
prepare_pool() {
  local url="$1" pool="$2" command="$3" half=$(( CONNECTIONS * 4 ))
  say "preparing tokens at $url (authorization code flows)"
  "${TOOL[@]}" "$command" --url "$url" --out "$pool" --access 32 --refresh $(( half * 2 )) >>"$OUT/prepare.jsonl" 2>>"$LOG"
  head -n "$half" "$pool/refresh_tokens.txt" >"$pool/refresh_tokens-warmup.txt"
  tail -n +"$(( half + 1 ))" "$pool/refresh_tokens.txt" >"$pool/refresh_tokens-measure.txt"
  mv "$pool/refresh_tokens-measure.txt" "$pool/refresh_tokens.txt"
}

run_product() {
  start_product "$OUT/product.db"
  prepare_pool "$PRODUCT_URL" "$OUT/pool" tokens
  product_scenarios product "$OUT/pool"
  PRODUCT_HWM_KB=$(awk '/^VmHWM:/ {print $2}' "/proc/$PRODUCT_PID/status")
  echo "{\"group\":\"product\",\"scenario\":\"process_peak\",\"peak_rss_kb\":$PRODUCT_HWM_KB}" >>"$RESULTS"
  stop_product
}

run_floor() {
  say "starting the floor (bare Kestrel) at $FLOOR_URL"
  port_free "$FLOOR_URL"
  dotnet "$ROOT/bench/Floor/bin/Release/net10.0/OpenBanking.Bench.Floor.dll" --urls "$FLOOR_URL" \
    --body-file "$OUT/pool/balance.json" >>"$OUT/floor.log" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  for _ in $(seq 1 60); do curl -s -o /dev/null "$FLOOR_URL/api/balance/" && break; sleep 0.5; done
  measure floor balance "$FLOOR_URL/api/balance/" "$pid" --
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

run_peer() {
  PEER_DIR="$OUT/django-dot"
  cp -r "$PEER_SOURCE" "$PEER_DIR"
  chmod -R u+w "$PEER_DIR"
  say "starting the old stack (django-oauth-toolkit, gunicorn) at $PEER_URL"
  port_free "$PEER_URL"
  "$PEER_DIR/start.sh" "$((PORT_BASE + 2))" --background >>"$LOG" 2>&1
  local pids
  pids="$(cat "$PEER_DIR/run/gunicorn.pid") $(pgrep -P "$(cat "$PEER_DIR/run/gunicorn.pid")" | tr '\n' ' ')"
  prepare_pool "$PEER_URL" "$OUT/peer-pool" peer-tokens
  measure peer balance "$PEER_URL/api/balance/" "$pids" -- BENCH_BEARER_FILE="$OUT/peer-pool/access_tokens.txt"
  measure peer client_credentials "$PEER_URL/o/token/" "$pids" -- \
    BENCH_METHOD=POST BENCH_PATH=/o/token/ BENCH_BODY="$CC_BODY"
  measure peer refresh_token "$PEER_URL/o/token/" "$pids" -- \
    BENCH_PATH=/o/token/ BENCH_REFRESH_FILE="$OUT/peer-pool/refresh_tokens.txt" BENCH_CLIENT="$WEB_CLIENT"
  measure peer balance_no_token "$PEER_URL/api/balance/" "$pids" -- BENCH_EXPECT=401
  "$PEER_DIR/stop.sh" >>"$LOG" 2>&1 || true
}

run_growth() {
  local size database pool seeded grid
  for size in "${GROWTH_SIZES[@]}"; do
    database="$OUT/growth-$size.db"
    pool="$OUT/growth-$size-pool"
    say "growth: a fresh database with $size stored tokens"
    start_product "$database"
    stop_product
    seeded=$("${TOOL[@]}" seed-tokens --db "$database" --count "$size" 2>>"$LOG")
    say "  seeded: $seeded"
    # The token grid: the admin portal's own first-page query, timed on the stopped product's database.
    grid=$("${TOOL[@]}" grid --db "$database" 2>>"$LOG")
    say "  grid: $grid"
    echo "{\"group\":\"growth-$size\",\"scenario\":\"seed\",\"result\":$seeded}" >>"$RESULTS"
    echo "{\"group\":\"growth-$size\",\"scenario\":\"grid\",\"result\":$grid}" >>"$RESULTS"
    start_product "$database"
    prepare_pool "$PRODUCT_URL" "$pool" tokens
    MEASURE_SECONDS="$GROWTH_DURATION" product_scenarios "growth-$size" "$pool"
    stop_product
  done
}

# A quick run is a smoke test, so its report stays in the run's folder and the full run recorded
# in docs/benchmarks.md is kept.
write_report() {
  local commit cpu memory target="$ROOT/docs/benchmarks.md"
  if [[ "$QUICK" == 1 ]]; then target="$OUT/benchmarks.md"; fi
  commit="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  if [[ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ]]; then commit="$commit (with local changes)"; fi
  cpu="$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
  memory="$(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
  "${TOOL[@]}" report --results "$RESULTS" --out "$target" \
    --commit "$commit" --date "$(date -u +%Y-%m-%d)" --machine "$(nproc) cores ($cpu), $memory" \
    --sdk "$(dotnet --version)" --wrk "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s after a ${WARMUP}s warm-up" >>"$LOG" 2>&1
  say "wrote $target (raw results in $OUT)"
}

install_tools
build
run_product
run_floor
if [[ "$PEER" == 1 ]]; then run_peer; fi
if [[ "$GROWTH" == 1 ]]; then run_growth; fi
write_report
