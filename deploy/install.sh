#!/bin/sh
# Install Ishenim on a fresh Debian 12 server, behind nginx with HTTPS:
#
#   sudo sh deploy/install.sh --domain ishenim.osh.edu.kg [--postgres] [--backup-dir /mnt/backup]
#
# Run it from the unpacked source tree (it copies itself to /srv/ishenim). It is safe to run again
# (to upgrade: unpack the new version and run it again): secrets and the certificate are kept.
# What it does, step by step, is printed as it goes; README.md, "Installing on a server", explains each.
set -eu

DOMAIN=""
POSTGRES=no
BACKUP_DIR=/var/backups/ishenim
while [ $# -gt 0 ]; do
  case "$1" in
    --domain) DOMAIN=$2; shift 2 ;;
    --postgres) POSTGRES=yes; shift ;;
    --backup-dir) BACKUP_DIR=$2; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -n "$DOMAIN" ] || { echo "name the server's address: --domain ishenim.example.kg" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "run as root (sudo sh deploy/install.sh …)" >&2; exit 2; }
grep -q 'VERSION_ID="12"' /etc/os-release || echo "warning: written for Debian 12; continuing" >&2

SRC=$(cd "$(dirname "$0")/.." && pwd)
APP=/srv/ishenim
DATA=/var/lib/ishenim
CONF=/etc/ishenim
step() { printf '\n=== %s\n' "$*"; }

step "1/9 Debian packages"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends python3-venv make gettext nginx-light openssl rsync \
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-noto-core fonts-dejavu-core
[ "$POSTGRES" = no ] || apt-get install -y -qq --no-install-recommends postgresql

step "2/9 the ishenim system user and its directories"
id ishenim >/dev/null 2>&1 || useradd --system --home-dir "$DATA" --shell /usr/sbin/nologin ishenim
install -d -o ishenim -g ishenim -m 0750 "$DATA"
install -d -o ishenim -g ishenim -m 0700 "$BACKUP_DIR"
install -d -o root -g ishenim -m 0750 "$CONF" "$CONF/tls"

step "3/9 the application in $APP"
if [ "$SRC" != "$APP" ]; then
  mkdir -p "$APP"
  rsync -a --delete --exclude .venv --exclude var --exclude .git --exclude '__pycache__' "$SRC/" "$APP/"
fi
python3 -m venv "$APP/.venv"
"$APP/.venv/bin/pip" install --quiet --upgrade pip
"$APP/.venv/bin/pip" install --quiet -r "$APP/requirements.txt"
"$APP/.venv/bin/pip" install --quiet --no-deps "$APP"
chown -R root:root "$APP"

step "4/9 secrets (kept if they exist)"
umask 027
[ -s "$CONF/secret-key" ] || openssl rand -base64 48 > "$CONF/secret-key"
[ -s "$CONF/server-key" ] || openssl rand -base64 32 > "$CONF/server-key"
[ -s "$CONF/backup-passphrase" ] || "$APP/.venv/bin/python" -c \
  "import secrets; print('-'.join(secrets.token_urlsafe(6) for _ in range(6)))" > "$CONF/backup-passphrase"
chgrp ishenim "$CONF/secret-key" "$CONF/server-key" "$CONF/backup-passphrase"
chmod 0640 "$CONF/secret-key" "$CONF/server-key" "$CONF/backup-passphrase"

step "5/9 the database"
if [ "$POSTGRES" = yes ]; then
  DB_PASSWORD_FILE="$CONF/db-password"
  [ -s "$DB_PASSWORD_FILE" ] || openssl rand -hex 24 > "$DB_PASSWORD_FILE"
  chgrp ishenim "$DB_PASSWORD_FILE"
  DB_PASSWORD=$(cat "$DB_PASSWORD_FILE")
  runuser -u postgres -- psql -q -c "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='ishenim') THEN CREATE ROLE ishenim LOGIN PASSWORD '$DB_PASSWORD'; END IF; END\$\$;"
  runuser -u postgres -- psql -tAc "SELECT 1 FROM pg_database WHERE datname='ishenim'" | grep -q 1 \
    || runuser -u postgres -- createdb -O ishenim ishenim
  DATABASE_URL="postgres://ishenim:$DB_PASSWORD@127.0.0.1:5432/ishenim"
else
  DATABASE_URL="sqlite:///$DATA/ishenim.sqlite3"
fi

step "6/9 $CONF/ishenim.env"
if [ ! -s "$CONF/ishenim.env" ]; then
  cat > "$CONF/ishenim.env" <<ENV
# Ishenim's settings (read by every ishenim-* service and by the 'ishenim' command).
SECRET_KEY_FILE=$CONF/secret-key
VAULT_SERVER_KEY_FILE=$CONF/server-key
ISHENIM_BACKUP_PASSPHRASE_FILE=$CONF/backup-passphrase
ISHENIM_VAR_DIR=$DATA
DATABASE_URL=$DATABASE_URL
TASKS_BACKEND=django_tasks_db.DatabaseBackend
ISHENIM_HTTPS=1
ALLOWED_HOSTS=$DOMAIN
CSRF_TRUSTED_ORIGINS=https://$DOMAIN
SITE_URL=https://$DOMAIN
FORWARDED_ALLOW_IPS=127.0.0.1
ISHENIM_BIND=127.0.0.1:8000
# Email for staff alerts (see README, "Alerts"): EMAIL_HOST=… EMAIL_PORT=587 EMAIL_USE_TLS=1
# EMAIL_HOST_USER=… EMAIL_HOST_PASSWORD=… DEFAULT_FROM_EMAIL=Ishenim <ishenim@$DOMAIN>
ENV
  chgrp ishenim "$CONF/ishenim.env"
fi
[ -s "$CONF/backup.env" ] || printf 'BACKUP_DIR=%s\n# BACKUP_HOST=backup@10.0.0.5:/srv/backups/ishenim/\nBACKUP_KEEP_DAYS=30\n' "$BACKUP_DIR" > "$CONF/backup.env"
# 'sudo ishenim …' runs a command as the service does (createsuperuser, backup, restore, journal verify).
cat > /usr/local/bin/ishenim <<'WRAP'
#!/bin/sh
set -a; . /etc/ishenim/ishenim.env; set +a
cd /srv/ishenim && exec runuser -u ishenim -- /srv/ishenim/.venv/bin/ishenim "$@"
WRAP
chmod 0755 /usr/local/bin/ishenim

step "7/9 HTTPS certificate"
if [ ! -s "$CONF/tls/fullchain.pem" ]; then
  # A self-signed certificate so HTTPS works at once; replace it with the district's certificate
  # or a Let's Encrypt one (README: "Installing on a server", step 4), then: systemctl reload nginx
  openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=$DOMAIN" -addext "subjectAltName=DNS:$DOMAIN" \
    -keyout "$CONF/tls/privkey.pem" -out "$CONF/tls/fullchain.pem" 2>/dev/null
  chmod 0640 "$CONF/tls/privkey.pem"
fi

step "8/9 nginx"
sed "s/server_name ishenim.example.kg;/server_name $DOMAIN;/" "$APP/deploy/nginx/ishenim.conf" > /etc/nginx/sites-available/ishenim
ln -sf /etc/nginx/sites-available/ishenim /etc/nginx/sites-enabled/ishenim
rm -f /etc/nginx/sites-enabled/default
# Debian's own access log (combined format, with addresses) off for every site.
sed -i 's|^\(\s*\)access_log /var/log/nginx/access.log;|\1access_log off;|' /etc/nginx/nginx.conf
nginx -t
systemctl reload nginx || systemctl restart nginx

step "9/9 services: web, task worker, tick every minute, nightly backup"
install -m 0644 "$APP"/deploy/systemd/ishenim-web.service "$APP"/deploy/systemd/ishenim-worker.service \
  "$APP"/deploy/systemd/ishenim-tick.service "$APP"/deploy/systemd/ishenim-tick.timer \
  "$APP"/deploy/systemd/ishenim-backup.service "$APP"/deploy/systemd/ishenim-backup.timer /etc/systemd/system/
if [ "$BACKUP_DIR" != /var/backups/ishenim ]; then
  sed -i "s|/var/backups/ishenim|$BACKUP_DIR|g" /etc/systemd/system/ishenim-backup.service
fi
systemctl daemon-reload
systemctl enable --now ishenim-web.service
systemctl restart ishenim-web.service
systemctl enable --now ishenim-worker.service ishenim-tick.timer ishenim-backup.timer
systemctl restart ishenim-worker.service

cat <<DONE

Ishenim runs at https://$DOMAIN/ (health: curl -k https://$DOMAIN/healthz).
Next:
  1. Create the platform administrator:  sudo ishenim createsuperuser
  2. Log in at https://$DOMAIN/accounts/login/ and open Set-up to add the district and its schools.
  3. Write the backup passphrase on paper and keep it in the safe:  sudo cat $CONF/backup-passphrase
     Backups go to $BACKUP_DIR every night at 02:30 (mount the second disk there; set BACKUP_HOST
     in $CONF/backup.env to copy them to another machine). Try one now: sudo systemctl start ishenim-backup
  4. Replace the self-signed certificate in $CONF/tls/ with a real one, then: sudo systemctl reload nginx
DONE
