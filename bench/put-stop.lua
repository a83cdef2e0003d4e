-- put-stop.lua - wrk: StopRecording of one view, again and again (the idempotent path:
-- after the first request nothing changes, but every guard runs under the row lock).
wrk.method = "PUT"
wrk.body = '{"action":"StopRecording","phoneCallViewId":"01"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer demo-user-12-token"
