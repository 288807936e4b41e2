#!/bin/sh
# The nightly encrypted backup (run by ishenim-backup.service): one archive with the database,
# the files and the server key, written to a second disk and copied to another host if set.
#   BACKUP_DIR        where archives go (a second disk mounted there), default /var/backups/ishenim
#   BACKUP_HOST       optional rsync target on another machine, e.g. backup@10.0.0.5:/srv/backups/school7/
#   BACKUP_KEEP_DAYS  archives older than this are deleted from BACKUP_DIR, default 30
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${BACKUP_DIR:-/var/backups/ishenim}
keep=${BACKUP_KEEP_DAYS:-30}
file="$dir/ishenim-$(date +%Y-%m-%d-%H%M).backup"
"$root/.venv/bin/ishenim" backup "$file" --passphrase-file "${ISHENIM_BACKUP_PASSPHRASE_FILE:-/etc/ishenim/backup-passphrase}"
find "$dir" -maxdepth 1 -name 'ishenim-*.backup' -mtime +"$keep" -delete
if [ -n "${BACKUP_HOST:-}" ]; then
  rsync --times --partial "$file" "$BACKUP_HOST"
fi
