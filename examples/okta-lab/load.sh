#!/bin/sh
# Loads the Okta lab database into a MariaDB (or MySQL 8) server: creates the
# database and the account dbscim connects as, then runs the four SQL files in
# sql/ in order. Running it again starts the lab over (tables are dropped and
# re-created, the account's password is reset).
#
#   ./load.sh                          # root on 127.0.0.1:3306 without a password
#   MYSQL_PWD=secret ./load.sh         # root with a password
#   OKTADEMO_ADMIN_OPTS="--socket=/run/mysqld/mysqld.sock" sudo -E ./load.sh
#
# Environment (the same names the configurations read, same defaults):
#   OKTADEMO_DB_HOST      127.0.0.1   server
#   OKTADEMO_DB_PORT      3306
#   OKTADEMO_DB_NAME      oktademo    database to create
#   OKTADEMO_DB_USER      oktademo    account to create (granted SELECT, INSERT,
#   OKTADEMO_DB_PASSWORD  oktademo      UPDATE, DELETE and EXECUTE on the database)
#   OKTADEMO_ADMIN        root        administrative account that runs the scripts
#   OKTADEMO_ADMIN_OPTS               client options replacing -h/-P/-u entirely
#   MARIADB               mariadb     the client (mysql works too)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
host=${OKTADEMO_DB_HOST:-127.0.0.1}
port=${OKTADEMO_DB_PORT:-3306}
db=${OKTADEMO_DB_NAME:-oktademo}
user=${OKTADEMO_DB_USER:-oktademo}
password=${OKTADEMO_DB_PASSWORD:-oktademo}
admin=${OKTADEMO_ADMIN:-root}
client=${MARIADB:-mariadb}
if ! command -v "$client" >/dev/null 2>&1; then
	client=mysql
fi
opts=${OKTADEMO_ADMIN_OPTS:-"--protocol=TCP -h $host -P $port -u $admin"}

case "$db$user" in
*[!A-Za-z0-9_]*) echo "load.sh: database and user names must be letters, digits and _" >&2; exit 2 ;;
esac
case "$password" in
*\'*|*\\*) echo "load.sh: the password must not contain ' or \\" >&2; exit 2 ;;
esac

# shellcheck disable=SC2086 # $opts is a list of options
run() { "$client" $opts "$@"; }

echo "Creating database $db and account $user on $host:$port ..."
run <<SQL
CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb4;
CREATE USER IF NOT EXISTS '$user'@'%' IDENTIFIED BY '$password';
CREATE USER IF NOT EXISTS '$user'@'localhost' IDENTIFIED BY '$password';
ALTER USER '$user'@'%' IDENTIFIED BY '$password';
ALTER USER '$user'@'localhost' IDENTIFIED BY '$password';
GRANT SELECT, INSERT, UPDATE, DELETE, EXECUTE ON \`$db\`.* TO '$user'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE, EXECUTE ON \`$db\`.* TO '$user'@'localhost';
SQL

# Each file is sent as one multi-statement query (a delimiter that never occurs
# in it), so that CREATE PROCEDURE ... BEGIN ... END needs no DELIMITER lines.
for f in schema views procedures data; do
	echo "Loading sql/$f.sql ..."
	run --delimiter='<<end-of-file>>' "$db" <"$here/sql/$f.sql"
done

run "$db" -e "SELECT (SELECT COUNT(*) FROM USERS) AS USERS,
  (SELECT COUNT(*) FROM USERS WHERE IS_ACTIVE = 1) AS ACTIVE_USERS,
  (SELECT COUNT(*) FROM ENTITLEMENTS) AS ENTITLEMENTS,
  (SELECT COUNT(*) FROM USERENTITLEMENTS) AS ASSIGNMENTS"
echo "Done. Connect with: $client -h $host -P $port -u $user -p$password $db"
