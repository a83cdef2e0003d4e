# nginx.bash - nginx in front of the pools: its configuration in the state directory
# (nginx/'s files, and what tools/stack generates: the upstream of every instance, each
# instance's own locations, the PROXY protocol port, the unlimited and trusted addresses),
# the reference page it serves, and its start, stop and first answer. Sourced by
# tools/stack, after common.bash and pools.bash; uses its settings http_port, proxy_port
# and instances.
# shellcheck shell=bash

# How long nginx has to answer once started (s).
nginx_answer_s=10

# The upstream's servers and each instance's own health and metrics locations, for nginx.
upstream_servers() {
	local i
	for i in $(seq 1 "$instances"); do
		# Passive health checks: a pool that fails 3 requests within 5 s is passed over
		# for 5 s. A failed request goes on to the next pool (uapi-fastcgi.conf bounds
		# the retries), so even the failures that count answer.
		printf '        server unix:%s max_fails=3 fail_timeout=5s;\n' "$(sock_of "$i")"
	done
}
instance_locations() {
	local i loc
	for i in $(seq 1 "$instances"); do
		# the rules of /uapi/ and of /uapi/metrics in uapi-server.conf, from the same files
		for loc in health:api metrics:metrics; do
			printf 'location = /uapi/%s/%s {\n    include uapi-%s-rules.conf;\n' \
				"${loc%%:*}" "$i" "${loc#*:}"
			printf '    fastcgi_pass unix:%s;\n}\n' "$(sock_of "$i")"
		done
	done
}

# The stream front's port for balancers that send the PROXY protocol (PC_PROXY_PORT), as
# in production-stream.conf: only the header of a balancer of uapi-trusted-proxies.conf
# is believed.
proxy_port_server() {
	[ -n "$proxy_port" ] || return 0
	printf 'server {\n    listen 127.0.0.1:%s proxy_protocol;\n' "$proxy_port"
	printf '    include uapi-trusted-proxies.conf;\n'
	# shellcheck disable=SC2016 # (nginx's variable)
	printf '    proxy_pass $uapi_http_socket;\n}\n'
}

# The reference page nginx's workers (www-data) serve: a copy of build/docs in the state
# directory, which they reach wherever the project is (empty before `make reference`).
docs_copy() {
	rm -rf "$var/docs"
	mkdir -p "$var/docs"
	[ -d "$top/build/docs" ] && cp -R "$top/build/docs/." "$var/docs/"
	chmod -R u=rwX,go=rX "$var/docs"
}

nginx_up() {
	local a user_line=""
	state_dirs
	own_dir 0755 '' "$var/nginx"
	docs_copy
	if is_root; then user_line="user $(web_user);"; fi
	cp "$top"/nginx/uapi*.conf "$var/nginx/"
	# PC_UNLIMITED: client addresses the rate limits leave alone (the suite's, the
	# bench's), space-separated.
	for a in ${PC_UNLIMITED:-}; do printf '%s 1;\n' "$a"; done >>"$var/nginx/uapi-unlimited.conf"
	# PC_TRUSTED_PROXIES: balancers whose X-Forwarded-For is believed (space-separated
	# addresses or CIDRs), in both forms: the stream front's and the HTTP server's.
	for a in ${PC_TRUSTED_PROXIES:-}; do printf '%s 1;\n' "$a"; done \
		>>"$var/nginx/uapi-trusted-proxies-stream.conf"
	for a in ${PC_TRUSTED_PROXIES:-}; do printf 'set_real_ip_from %s;\n' "$a"; done \
		>>"$var/nginx/uapi-trusted-proxies.conf"
	upstream_servers >"$var/nginx/upstream.conf"
	instance_locations >"$var/nginx/instances.conf"
	proxy_port_server >"$var/nginx/proxy-port.conf"
	sed -e "s|@HTTP_PORT@|$http_port|g" -e "s|@VAR@|$var|g" \
		-e "s|@LOG@|$log|g" -e "s|@USER@|$user_line|g" -e "s|@DOCS@|$var/docs|g" \
		"$top/nginx/pc.conf.in" >"$var/nginx/nginx.conf"
	nginx_down
	# The HTTP servers' sockets behind the stream front: an nginx killed outright leaves
	# them, and they would refuse the new bind.
	rm -f "$run"/nginx-*.sock
	# nginx starts itself in the background (its own pid file: run/nginx.pid)
	nginx -p "$var/nginx" -c "$var/nginx/nginx.conf" -e "$log/nginx-error.log" -t -q
	nginx -p "$var/nginx" -c "$var/nginx/nginx.conf" -e "$log/nginx-error.log"
}

# SIGQUIT: nginx finishes the requests in hand, then exits.
nginx_down() { daemon_stop "$run/nginx.pid" QUIT; }

# Until nginx answers on its port (any answer).
nginx_answers() { curl -s -o /dev/null "http://127.0.0.1:$http_port/"; }
wait_http() {
	wait_for "$nginx_answer_s" nginx_answers && return 0
	say "nginx did not answer on 127.0.0.1:$http_port"
	return 1
}
