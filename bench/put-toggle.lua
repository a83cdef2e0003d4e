-- put-toggle.lua - wrk: StartRecording and StopRecording in turn on one view, so every
-- request changes state and appends an event (the write path, serialized by the lock).
local n = 0
request = function()
	n = n + 1
	local action = (n % 2 == 0) and "StopRecording" or "StartRecording"
	return wrk.format("PUT", nil, {
		["Content-Type"] = "application/json",
		["Authorization"] = "Bearer demo-user-12-token",
	}, '{"action":"' .. action .. '","phoneCallViewId":"01"}')
end
