-- put.lua - wrk: StopRecording (view 1, recorded) and StartRecording (view 2, not
-- recorded) in equal parts, each on a random call of bench/data.sql with the token of
-- the call's user, as an App sends them. With PC_BENCH_FLOOR set, the same requests go
-- to a location where nginx answers the same 202 itself (the HTTP floor). The calls are
-- those of data set $PC_BENCH_DATASET (0 unless set; bench/data.sql).
-- done() writes the figures to $PC_BENCH_OUT: requests/s, latency percentiles (ms), and
-- how many answers were not 202.
local floor = (os.getenv("PC_BENCH_FLOOR") or "") ~= ""
local calls, users, exts = 200000, 1000, 10000
local off = (tonumber(os.getenv("PC_BENCH_DATASET") or "") or 0) * 1000000
local threads = {}
local counter = 1

function setup(thread)
	thread:set("id", counter)
	counter = counter + 1
	table.insert(threads, thread)
end

function init(args)
	math.randomseed(id * 7919 + os.time())
	not202 = 0
	stops = 0
	starts = 0
end

local stop = '{"action":"StopRecording","phoneCallViewId":"1"}'
local start = '{"action":"StartRecording","phoneCallViewId":"2","format":"wav"}'

function request()
	local n = math.random(calls)
	local u = (n - 1) % users + 1
	local path
	if floor then
		path = "/bench-floor"
	else
		path = string.format("/uapi/phoneCalls/%d/%d/%d", 100000 + off + u,
			700000 + off + (n - 1) % exts + 1, 1000000 + off + n)
	end
	local body = stop
	if math.random(2) == 1 then
		body = start
		starts = starts + 1
	else
		stops = stops + 1
	end
	return wrk.format("PUT", path, {
		["Content-Type"] = "application/json",
		["Authorization"] = "Bearer bench-user-" .. (off + u) .. "-token",
	}, body)
end

function response(status, headers, body)
	if status ~= 202 then
		not202 = not202 + 1
	end
end

function done(summary, latency, requests)
	local bad = 0
	for _, t in ipairs(threads) do
		bad = bad + t:get("not202")
	end
	local f = assert(io.open(os.getenv("PC_BENCH_OUT"), "w"))
	f:write(string.format("rps %.1f\n", summary.requests / (summary.duration / 1e6)))
	f:write(string.format("requests %d\n", summary.requests))
	f:write(string.format("not202 %d\n", bad + summary.errors.connect + summary.errors.read
		+ summary.errors.write + summary.errors.timeout))
	for _, p in ipairs({50, 75, 90, 95, 99, 99.9}) do
		f:write(string.format("p%s %.3f\n", p, latency:percentile(p) / 1000))
	end
	-- the distribution, for the chart
	for p = 1, 99 do
		f:write(string.format("dist %d %.3f\n", p, latency:percentile(p) / 1000))
	end
	for _, p in ipairs({99.5, 99.9, 99.99}) do
		f:write(string.format("dist %s %.3f\n", p, latency:percentile(p) / 1000))
	end
	f:close()
end
