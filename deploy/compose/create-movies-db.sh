#!/bin/sh
# The movies service's own database (data migration, issue #12) with credentials of its own:
# the role's password comes from MOVIES_DB_PASSWORD in the environment, never from this file.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v password="$MOVIES_DB_PASSWORD" <<'SQL'
CREATE ROLE movies LOGIN PASSWORD :'password';
CREATE DATABASE cinemaabyss_movies OWNER movies;
SQL
