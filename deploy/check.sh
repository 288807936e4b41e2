#!/bin/sh
# Check deploy/ without installing it: the systemd units (systemd-analyze verify) and the nginx site
# (nginx -t on a throw-away config), and that no log format names a visitor. Used by .ci/run and
# tests/test_deploy.py. Needs systemd-analyze, nginx and openssl; the units point at this tree's .venv.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir "$tmp/units"
for unit in "$here"/systemd/*; do
  sed "s|/srv/ishenim|$root|g" "$unit" > "$tmp/units/$(basename "$unit")"
done
SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no "$tmp"/units/*.service "$tmp"/units/*.timer
echo "systemd units: ok"

nginx=$(command -v nginx || echo /usr/sbin/nginx)
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=ishenim.test \
  -keyout "$tmp/privkey.pem" -out "$tmp/fullchain.pem" >/dev/null 2>&1
sed -e "s|/etc/ishenim/tls/|$tmp/|g" -e "s|/var/log/nginx/|$tmp/|g" "$here/nginx/ishenim.conf" > "$tmp/site.conf"
cat > "$tmp/nginx.conf" <<CONF
pid $tmp/nginx.pid;
error_log $tmp/error.log;
events {}
http {
    access_log off;
    client_body_temp_path $tmp/body;
    proxy_temp_path $tmp/proxy;
    fastcgi_temp_path $tmp/fastcgi;
    uwsgi_temp_path $tmp/uwsgi;
    scgi_temp_path $tmp/scgi;
    include $tmp/site.conf;
}
CONF
"$nginx" -q -t -p "$tmp" -e "$tmp/error.log" -c "$tmp/nginx.conf"
echo "nginx site: ok"

if grep -E '^\s*log_format' "$here/nginx/ishenim.conf" | grep -Eq 'remote_addr|http_user_agent|x_forwarded_for|request_uri|\$request\b'; then
  echo "nginx log_format names a visitor (address, user agent or query string)" >&2
  exit 1
fi
if grep -E '^\s*access_log' "$here/nginx/ishenim.conf" | grep -vq 'ishenim_private'; then
  echo "an access_log without the private format" >&2
  exit 1
fi
echo "nginx logs: no addresses, no user agents"
