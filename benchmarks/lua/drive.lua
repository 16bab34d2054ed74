-- One benchmark cell for wrk: the operation, key, ids file and ports come from the environment.
--   BENCH_OP     create | retrieve | update | list | ceiling
--   BENCH_KEY    the API key sent as a Bearer token
--   BENCH_IDS    a Lua file returning the customer ids to retrieve and update
--   BENCH_PORTS  comma-separated ports on 127.0.0.1; thread i talks to port i (mod count)
-- done() prints one line "BENCH_RESULT {json}" with the figures the harness reads.

local op = os.getenv("BENCH_OP")
local key = os.getenv("BENCH_KEY") or ""
local threads = {}

function setup(thread)
  local ports = {}
  for port in string.gmatch(os.getenv("BENCH_PORTS"), "%d+") do
    ports[#ports + 1] = port
  end
  local port = ports[(#threads % #ports) + 1]
  thread.addr = wrk.lookup("127.0.0.1", port)[1]
  thread:set("number", #threads + 1)
  threads[#threads + 1] = thread
end

local ids, number, counter
local get_headers = {}
local post_headers = {}

function init(args)
  number = tonumber(wrk.thread:get("number")) or 1
  counter = 0
  math.randomseed(os.time() * 100 + number)
  if op == "retrieve" or op == "update" then
    ids = dofile(os.getenv("BENCH_IDS"))
  end
  get_headers["Authorization"] = "Bearer " .. key
  post_headers["Authorization"] = "Bearer " .. key
  post_headers["Content-Type"] = "application/x-www-form-urlencoded"
end

local function any_id()
  return ids[math.random(#ids)]
end

function request()
  counter = counter + 1
  local tag = number .. "-" .. counter
  if op == "retrieve" then
    return wrk.format("GET", "/v1/customers/" .. any_id(), get_headers)
  elseif op == "update" then
    local body = "name=Renamed+" .. tag .. "&metadata%5Btier%5D=t" .. tag
    return wrk.format("POST", "/v1/customers/" .. any_id(), post_headers, body)
  elseif op == "create" then
    local body = "email=bench-" .. tag .. "%40example.com&name=Bench+" .. tag
      .. "&metadata%5Bplan%5D=pro"
    return wrk.format("POST", "/v1/customers", post_headers, body)
  elseif op == "list" then
    return wrk.format("GET", "/v1/customers", get_headers)
  end
  return wrk.format("GET", "/", get_headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "errors": {"connect": %d, "read": %d, "write": %d, '
      .. '"status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
