-- get.lua - wrk: List PhoneCalls of an extension.
wrk.headers["Authorization"] = "Bearer demo-user-12-token"
