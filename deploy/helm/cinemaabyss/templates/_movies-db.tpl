{{/*
Init container of the movies pods on the chart's PostgreSQL: waits for the server, then creates
the movies service's role and database unless they exist, connected as the main role (the image's
superuser). It runs before every movies pod rather than once from docker-entrypoint-initdb.d, so a
release whose volume predates the feature gets them on the upgrade that turns it on, without
restarting PostgreSQL; the migration Job cannot do it, as its pre-upgrade hook runs before the
Secret that upgrade creates exists. An existing role keeps its password (README, "Rotating"). With Istio, the sidecar's traffic capture
is already in place while init containers run but its proxy is not, so this one runs as the
proxy's uid 1337, whose traffic is not captured (Istio's documented workaround).
*/}}
{{- define "cinemaabyss.moviesDbInit" -}}
{{- $pg := .Values.postgresql -}}
- name: create-movies-db
  image: {{ include "cinemaabyss.thirdPartyImage" $pg.image | quote }}
  imagePullPolicy: {{ $pg.image.pullPolicy }}
  command: ["sh", "-ec"]
  args:
    - |
      until pg_isready -q -t 2 -d "$DB_CONNECTION_STRING"; do echo "waiting for PostgreSQL ..."; sleep 2; done
      psql "$DB_CONNECTION_STRING" -v ON_ERROR_STOP=1 --no-psqlrc \
        -v role="$MOVIES_DB_USER" -v database="$MOVIES_DB_NAME" -v password="$MOVIES_ROLE_PASSWORD" <<'SQL'
      -- One pod at a time (replicas start together): the second finds both and creates nothing.
      SELECT pg_advisory_lock(hashtext('cinemaabyss:create-movies-db')) AS locked \gset
      SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'role', :'password')
       WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
      SELECT format('CREATE DATABASE %I OWNER %I', :'database', :'role')
       WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'database') \gexec
      SQL
  env:
    {{- include "cinemaabyss.dbEnv" (dict "ctx" . "db" "main") | trim | nindent 4 }}
    - name: MOVIES_DB_USER
      value: {{ $pg.moviesDatabase.username | quote }}
    - name: MOVIES_DB_NAME
      value: {{ $pg.moviesDatabase.database | quote }}
    # The raw password (the movies container's MOVIES_DB_PASSWORD is the percent-encoded one).
    - name: MOVIES_ROLE_PASSWORD
      valueFrom:
        {{- include "cinemaabyss.passwordRef" (dict "ctx" . "role" "movies" "url" false) | nindent 8 }}
  resources:
    {{- toYaml .Values.services.movies.resources | nindent 4 }}
  securityContext:
    {{- $mesh := .Values.istio.enabled | ternary (dict "runAsUser" 1337 "runAsGroup" 1337) (dict) }}
    {{- toYaml (merge $mesh $pg.containerSecurityContext) | nindent 4 }}
  volumeMounts:
    - name: tmp
      mountPath: /tmp
{{- end }}
