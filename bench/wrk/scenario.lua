-- One wrk script for every scenario of bench/run.sh, set through environment variables:
--   BENCH_METHOD       GET or POST (default GET)
--   BENCH_PATH         request path (default /api/balance/)
--   BENCH_EXPECT       expected status code; any other counts as an error (default 200)
--   BENCH_BEARER_FILE  file of access tokens, one a line, sent round robin as Bearer tokens
--   BENCH_BODY         form body to POST as is
--   BENCH_REFRESH_FILE file of refresh tokens; each request spends one and the response's new
--                      refresh token goes back into the thread's pool (rotation)
--   BENCH_CLIENT       "client_id=...&client_secret=..." appended to refresh requests
--   BENCH_THREADS      wrk's thread count (-t), to split the refresh pool between threads
-- done() prints one line, "BENCH {json}", that the script reads.

local method = os.getenv("BENCH_METHOD") or "GET"
local path = os.getenv("BENCH_PATH") or "/api/balance/"
local expect = tonumber(os.getenv("BENCH_EXPECT") or "200")
local body = os.getenv("BENCH_BODY")
local client = os.getenv("BENCH_CLIENT") or ""
local form = { ["Content-Type"] = "application/x-www-form-urlencoded" }

local threads = {}
local thread_count = 0

local function read_lines(file)
  local lines = {}
  for line in io.lines(file) do
    if line ~= "" then lines[#lines + 1] = line end
  end
  return lines
end

function setup(thread)
  thread:set("thread_index", thread_count)
  thread_count = thread_count + 1
  threads[#threads + 1] = thread
end

local bearers, pool, next_bearer = nil, nil, 1
unexpected = 0
pool_empty = 0

function init(args)
  local bearer_file = os.getenv("BENCH_BEARER_FILE")
  if bearer_file then bearers = read_lines(bearer_file) end

  -- Each thread takes every n-th refresh token, so no token is spent by two threads.
  local refresh_file = os.getenv("BENCH_REFRESH_FILE")
  if refresh_file then
    pool = {}
    local total = tonumber(os.getenv("BENCH_THREADS") or "1")
    for index, token in ipairs(read_lines(refresh_file)) do
      if (index - 1) % total == wrk.thread:get("thread_index") then pool[#pool + 1] = token end
    end
  end
end

function request()
  if pool then
    local token = table.remove(pool, 1)
    if token == nil then
      pool_empty = pool_empty + 1
      token = "pool-empty"
    end
    return wrk.format("POST", path, form, "grant_type=refresh_token&refresh_token=" .. token .. "&" .. client)
  end

  local headers = nil
  if body then headers = form end
  if bearers then
    headers = { ["Authorization"] = "Bearer " .. bearers[next_bearer] }
    next_bearer = next_bearer % #bearers + 1
  end
  return wrk.format(method, path, headers, body)
end

function response(status, headers, response_body)
  if status ~= expect then unexpected = unexpected + 1 end
  if pool and status == 200 then
    local token = string.match(response_body, '"refresh_token"%s*:%s*"([^"]+)"')
    if token then pool[#pool + 1] = token end
  end
end

function done(summary, latency, requests)
  local unexpected_total, empty_total = 0, 0
  for _, thread in ipairs(threads) do
    unexpected_total = unexpected_total + thread:get("unexpected")
    empty_total = empty_total + thread:get("pool_empty")
  end
  local errors = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'BENCH {"requests":%d,"seconds":%.2f,"rps":%.1f,"p50_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,' ..
    '"socket_errors":%d,"timeouts":%d,"unexpected_status":%d,"pool_empty":%d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    errors.connect + errors.read + errors.write, errors.timeout, unexpected_total, empty_total))
end
