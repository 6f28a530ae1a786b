{{/*
Labels. Workload and Service names are fixed (monolith, movies, events, gateway, postgresql,
kafka) so the in-cluster URLs stay http://<service>:<port>; one release per namespace.
*/}}
{{- define "cinemaabyss.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/part-of: cinemaabyss
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}

{{/* Selector labels of one component: (dict "ctx" $ "name" "gateway") */}}
{{- define "cinemaabyss.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
{{- end }}

{{- define "cinemaabyss.componentLabels" -}}
{{ include "cinemaabyss.labels" .ctx }}
{{ include "cinemaabyss.selectorLabels" . }}
{{- end }}

{{/* metadata.name/namespace/labels of a component: (dict "ctx" $ "name" "x" "component" "y") */}}
{{- define "cinemaabyss.metadata" -}}
name: {{ .name }}
namespace: {{ .ctx.Release.Namespace }}
labels:
  {{- include "cinemaabyss.componentLabels" (dict "ctx" .ctx "name" (.component | default .name)) | nindent 2 }}
{{- end }}

{{/*
Image of one of the four services: (dict "ctx" $ "name" "gateway" "image" $svc.image)
<registry>/<owner>/cinemaabyss-<name>:<tag>, tag defaulting to global.imageTag, then appVersion.
*/}}
{{- define "cinemaabyss.image" -}}
{{- $g := .ctx.Values.global -}}
{{- $registry := .image.registry | default $g.imageRegistry -}}
{{- $repo := .image.repository | default (printf "%s/cinemaabyss-%s" $g.imageOwner .name) -}}
{{- $ref := $repo -}}
{{- if $registry }}{{ $ref = printf "%s/%s" $registry $repo }}{{ end -}}
{{- if .image.digest -}}
{{ $ref }}@{{ .image.digest }}
{{- else -}}
{{ $ref }}:{{ .image.tag | default $g.imageTag | default .ctx.Chart.AppVersion }}
{{- end -}}
{{- end }}

{{/* Image of a third-party component (postgresql, kafka): its image map */}}
{{- define "cinemaabyss.thirdPartyImage" -}}
{{- if .registry -}}{{ .registry }}/{{- end -}}{{ .repository }}:{{ .tag }}
{{- end }}

{{- define "cinemaabyss.imagePullSecrets" -}}
{{- $names := list -}}
{{- range .Values.imagePullSecrets -}}
{{- if kindIs "map" . }}{{ $names = append $names .name }}{{ else }}{{ $names = append $names . }}{{ end -}}
{{- end -}}
{{- if get .Values.imageCredentials "username" -}}
{{- $names = append $names (printf "%s-registry" .Release.Name) -}}
{{- end -}}
{{- if $names }}
imagePullSecrets:
{{- range $names }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- end }}

{{/* ---------------------------------------------------------------------------------------
Database. Two roles, each with credentials of its own: "main" (postgresql.auth: the monolith, the
movies service's reads of the monolith's tables, the events service, the gateway, the migrations)
and, with postgresql.moviesDatabase.enabled, "movies" (postgresql.moviesDatabase: the movies
service's own database, issue #12). Three ways to get a role's credentials:
  1. <role>.password (--set): the chart creates <release>-db / <release>-movies-db with the raw and
     the percent-encoded password;
  2. <role>.existingSecret: an existing Secret with the password;
  3. postgresql.enabled=false + postgresql.external.existingSecret: complete URLs in a Secret.
In 1 and 2 the URLs are assembled from $(DB_PASSWORD) / $(MOVIES_DB_PASSWORD), so no password is
ever rendered outside a Secret.
--------------------------------------------------------------------------------------- */}}
{{- define "cinemaabyss.usesUrlSecret" -}}
{{- if and (not .Values.postgresql.enabled) .Values.postgresql.external.existingSecret }}true{{ end -}}
{{- end }}

{{/*
"true" when the movies service has a database of its own. Read through dig: values reused from a
release of an older chart (helm upgrade --reuse-values) have no postgresql.moviesDatabase at all.
*/}}
{{- define "cinemaabyss.moviesDb" -}}
{{- if dig "moviesDatabase" "enabled" false .Values.postgresql }}true{{ end -}}
{{- end }}

{{/* Whether the chart makes a role's password Secret: (dict "ctx" $ "role" "main"|"movies") */}}
{{- define "cinemaabyss.createsSecret" -}}
{{- $pg := .ctx.Values.postgresql -}}
{{- if not (include "cinemaabyss.usesUrlSecret" .ctx) -}}
{{- if eq .role "main" -}}
{{- if not $pg.auth.existingSecret }}true{{ end -}}
{{- else if and (include "cinemaabyss.moviesDb" .ctx) (not $pg.moviesDatabase.existingSecret) }}true{{ end -}}
{{- end -}}
{{- end }}

{{/* Name of the Secret the chart makes for a role: (dict "ctx" $ "role" "main"|"movies") */}}
{{- define "cinemaabyss.ownSecretName" -}}
{{- printf "%s-%s" .ctx.Release.Name (eq .role "movies" | ternary "movies-db" "db") -}}
{{- end }}

{{/* secretKeyRef of a role's password, raw or percent-encoded for URLs: (dict "ctx" $ "role" "main"|"movies" "url" true|false) */}}
{{- define "cinemaabyss.passwordRef" -}}
{{- $pg := .ctx.Values.postgresql -}}
{{- $movies := eq .role "movies" -}}
{{- $auth := $movies | ternary $pg.moviesDatabase $pg.auth -}}
secretKeyRef:
  {{- if $auth.existingSecret }}
  name: {{ $auth.existingSecret }}
  key: {{ .url | ternary ($auth.secretKeys.urlPassword | default $auth.secretKeys.password) $auth.secretKeys.password }}
  {{- else }}
  name: {{ include "cinemaabyss.ownSecretName" . }}
  key: {{ .url | ternary "password-url" "password" }}
  {{- end }}
{{- end }}

{{- define "cinemaabyss.dbHost" -}}
{{- if .Values.postgresql.enabled -}}
postgresql.{{ .Release.Namespace }}.svc.{{ .Values.global.clusterDomain }}
{{- else -}}
{{- required "postgresql.external.host is required when postgresql.enabled=false (or set postgresql.external.existingSecret with the URLs)" .Values.postgresql.external.host -}}
{{- end -}}
{{- end }}

{{/*
The password + URL env entries of one database: (dict "ctx" $ "db" "main"|"events"|"movies" ["as" "<VAR>"]).
main and events (the main role): DB_PASSWORD + DB_CONNECTION_STRING; movies (its own role):
MOVIES_DB_PASSWORD + MOVIES_DB_CONNECTION_STRING. "as" renames the URL's variable.
*/}}
{{- define "cinemaabyss.dbEnv" -}}
{{- $pg := .ctx.Values.postgresql -}}
{{- $movies := eq .db "movies" -}}
{{- $prefix := $movies | ternary "MOVIES_" "" -}}
{{- $var := .as | default (printf "%sDB_CONNECTION_STRING" $prefix) -}}
{{- if include "cinemaabyss.usesUrlSecret" .ctx }}
- name: {{ $var }}
  valueFrom:
    secretKeyRef:
      name: {{ $pg.external.existingSecret }}
      key: {{ get (dict "main" $pg.external.secretKeys.url "events" $pg.external.secretKeys.eventsUrl "movies" $pg.external.secretKeys.moviesUrl) .db }}
{{- else }}
{{- $port := $pg.enabled | ternary 5432 $pg.external.port -}}
{{- $user := $pg.auth.username -}}
{{- $database := eq .db "events" | ternary .ctx.Values.services.events.database $pg.auth.database -}}
{{- if $movies -}}
{{- $user = $pg.moviesDatabase.username -}}
{{- $database = $pg.moviesDatabase.database -}}
{{- end -}}
{{- $params := and (not $pg.enabled) (ne $pg.external.params "") | ternary (printf "?%s" $pg.external.params) "" }}
- name: {{ $prefix }}DB_PASSWORD
  valueFrom:
    {{- include "cinemaabyss.passwordRef" (dict "ctx" .ctx "role" ($movies | ternary "movies" "main") "url" true) | nindent 4 }}
- name: {{ $var }}
  value: {{ printf "postgres://%s:$(%sDB_PASSWORD)@%s:%v/%s%s" (urlquery $user) $prefix (include "cinemaabyss.dbHost" .ctx) $port $database $params | quote }}
{{- end }}
{{- end }}

{{/* KAFKA_BROKERS: every broker of the chart's StatefulSet, or kafka.external.brokers */}}
{{- define "cinemaabyss.kafkaBrokers" -}}
{{- if .Values.kafka.enabled -}}
{{- $brokers := list -}}
{{- range $i := until (int .Values.kafka.replicas) -}}
{{- $brokers = append $brokers (printf "kafka-%d.kafka-headless.%s.svc.%s:9092" $i $.Release.Namespace $.Values.global.clusterDomain) -}}
{{- end -}}
{{- join "," $brokers -}}
{{- else -}}
{{- required "kafka.external.brokers is required when kafka.enabled=false (host:port[,host:port...])" .Values.kafka.external.brokers -}}
{{- end -}}
{{- end }}

{{/* KAFKA_BROKERS plus how the services create their topics (replicated like the internal ones) */}}
{{- define "cinemaabyss.kafkaEnv" -}}
- name: KAFKA_BROKERS
  value: {{ include "cinemaabyss.kafkaBrokers" . | quote }}
- name: KAFKA_TOPIC_PARTITIONS
  value: {{ .Values.kafka.numPartitions | quote }}
{{- if .Values.kafka.enabled }}
- name: KAFKA_TOPIC_REPLICATION_FACTOR
  value: {{ min (int .Values.kafka.replicas) 3 | quote }}
{{- end }}
{{- end }}

{{/* Environment of one service beyond PORT and LOG_LEVEL: (dict "ctx" $ "name" $name "svc" $svc) */}}
{{- define "cinemaabyss.serviceEnv" -}}
{{- $ctx := .ctx -}}
{{- if or (eq .name "monolith") (eq .name "movies") }}
{{- include "cinemaabyss.dbEnv" (dict "ctx" $ctx "db" "main") }}
{{- if and (eq .name "movies") (include "cinemaabyss.moviesDb" $ctx) }}
{{- /* Its own database, whose migrations (services/movies/migrations) it applies at start-up under the
advisory lock every service's migrations take; the main schema's are then a no-op after the Job's. */}}
{{- include "cinemaabyss.dbEnv" (dict "ctx" $ctx "db" "movies") }}
- name: DB_AUTO_MIGRATE
  value: "true"
{{- end }}
{{ include "cinemaabyss.kafkaEnv" $ctx }}
{{- else if eq .name "events" }}
{{- include "cinemaabyss.dbEnv" (dict "ctx" $ctx "db" "events") }}
- name: DB_AUTO_MIGRATE
  value: "true"
{{ include "cinemaabyss.kafkaEnv" $ctx }}
- name: EVENTS_CONSUMER_GROUP
  value: {{ .svc.consumerGroup | quote }}
{{- else if eq .name "gateway" }}
{{- $s := $ctx.Values.services }}
- name: MONOLITH_URL
  value: {{ printf "http://monolith:%v" $s.monolith.port | quote }}
- name: MOVIES_SERVICE_URL
  value: {{ printf "http://movies:%v" $s.movies.port | quote }}
- name: EVENTS_SERVICE_URL
  value: {{ printf "http://events:%v" $s.events.port | quote }}
{{- /* The migrations' live state (schema gateway of the main database), shared by every replica; audit events to Kafka. */}}
{{- include "cinemaabyss.dbEnv" (dict "ctx" $ctx "db" "main" "as" "GATEWAY_DB_CONNECTION_STRING") }}
{{ include "cinemaabyss.kafkaEnv" $ctx }}
{{- range list "GRADUAL_MIGRATION" "MOVIES_MIGRATION_PERCENT" "MIGRATION_MODE" }}
- name: {{ . }}
  valueFrom:
    configMapKeyRef:
      name: {{ $ctx.Release.Name }}-migration
      key: {{ . }}
{{- end }}
{{- with $ctx.Values.gatewayOverride }}
{{- if or .existingSecret .secret }}
- name: GATEWAY_OVERRIDE_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret | default (printf "%s-gateway-override" $ctx.Release.Name) }}
      key: {{ ne .existingSecret "" | ternary .existingSecretKey "override-secret" }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/* Hook events of the migration Job (see values.yaml, dbMigrations) */}}
{{- define "cinemaabyss.migrationHook" -}}
{{- $pg := .Values.postgresql -}}
{{- if .Values.dbMigrations.hookEvents -}}
{{ .Values.dbMigrations.hookEvents }}
{{- else if and (not $pg.enabled) (or $pg.external.existingSecret $pg.auth.existingSecret) -}}
pre-install,pre-upgrade
{{- else -}}
{{- /* The chart's PostgreSQL (or the chart's Secret) does not exist before install. */ -}}
post-install,pre-upgrade
{{- end -}}
{{- end }}

{{/* Fails the render with every configuration error a schema cannot express. */}}
{{- define "cinemaabyss.validate" -}}
{{- $pg := .Values.postgresql -}}
{{- if include "cinemaabyss.createsSecret" (dict "ctx" . "role" "main") -}}
{{- $_ := required "postgresql.auth.password is required: install with --set postgresql.auth.password=<password>, or set postgresql.auth.existingSecret to a Secret holding it (with postgresql.enabled=false, postgresql.external.existingSecret may hold the URLs instead)" $pg.auth.password -}}
{{- end -}}
{{- if and $pg.auth.password $pg.auth.existingSecret -}}
{{- fail "set either postgresql.auth.password or postgresql.auth.existingSecret, not both" -}}
{{- end -}}
{{- $mdb := $pg.moviesDatabase | default (dict) -}}
{{- if $mdb.enabled -}}
{{- $keys := list "username" "database" "secretKeys" -}}
{{- if include "cinemaabyss.usesUrlSecret" . }}{{ $keys = list }}{{ end -}}
{{- range $key := $keys -}}
{{- if not (hasKey $mdb $key) -}}
{{- fail (printf "postgresql.moviesDatabase.%s has no value: helm upgrade --reuse-values keeps the values of the chart the release was installed with, which had no postgresql.moviesDatabase; turn it on with --reset-then-reuse-values instead" $key) -}}
{{- end -}}
{{- end -}}
{{- if and (include "cinemaabyss.usesUrlSecret" .) (not (hasKey $pg.external.secretKeys "moviesUrl")) -}}
{{- fail "postgresql.external.secretKeys.moviesUrl has no value: helm upgrade --reuse-values keeps the values of the chart the release was installed with; turn postgresql.moviesDatabase on with --reset-then-reuse-values instead" -}}
{{- end -}}
{{- end -}}
{{- if include "cinemaabyss.createsSecret" (dict "ctx" . "role" "movies") -}}
{{- $_ := required "postgresql.moviesDatabase.password is required with postgresql.moviesDatabase.enabled=true: install with --set postgresql.moviesDatabase.password=<password> (not the main one), or set postgresql.moviesDatabase.existingSecret to a Secret holding it (with postgresql.enabled=false, postgresql.external.existingSecret may hold its URL under secretKeys.moviesUrl instead)" $mdb.password -}}
{{- end -}}
{{- if and $mdb.password $mdb.existingSecret -}}
{{- fail "set either postgresql.moviesDatabase.password or postgresql.moviesDatabase.existingSecret, not both" -}}
{{- end -}}
{{- if and $mdb.password (eq $mdb.password $pg.auth.password) -}}
{{- fail "postgresql.moviesDatabase.password must not be the main password: the movies role has credentials of its own" -}}
{{- end -}}
{{- if and (not $mdb.enabled) (or $mdb.password $mdb.existingSecret) -}}
{{- fail "postgresql.moviesDatabase has credentials but is not enabled: add --set postgresql.moviesDatabase.enabled=true (or drop its password/existingSecret)" -}}
{{- end -}}
{{- if and $mdb.enabled (not (include "cinemaabyss.usesUrlSecret" .)) -}}
{{- if eq $mdb.username $pg.auth.username -}}
{{- fail (printf "postgresql.moviesDatabase.username (%s) must differ from postgresql.auth.username: the movies database gets a role of its own" $mdb.username) -}}
{{- end -}}
{{- if has $mdb.database (list $pg.auth.database .Values.services.events.database) -}}
{{- fail (printf "postgresql.moviesDatabase.database (%s) must differ from the main and the events databases" $mdb.database) -}}
{{- end -}}
{{- end -}}
{{- $c := .Values.imageCredentials -}}
{{- if and $c (not (and (get $c "username") (get $c "password"))) -}}
{{- fail "imageCredentials needs both username and password (give them with --set at install time)" -}}
{{- end -}}
{{- if and .Values.gatewayOverride.secret .Values.gatewayOverride.existingSecret -}}
{{- fail "set either gatewayOverride.secret or gatewayOverride.existingSecret, not both" -}}
{{- end -}}
{{- $ev := .Values.services.events -}}
{{- if and .Values.kafka.enabled $ev.autoscaling.enabled (gt (int $ev.autoscaling.maxReplicas) (int .Values.kafka.numPartitions)) -}}
{{- fail (printf "services.events.autoscaling.maxReplicas (%v) exceeds kafka.numPartitions (%v): consumers beyond the partition count stay idle" $ev.autoscaling.maxReplicas .Values.kafka.numPartitions) -}}
{{- end -}}
{{- if and .Values.istio.trafficSplit.enabled .Values.migration.gradual -}}
{{- fail "istio.trafficSplit.enabled and migration.gradual are alternatives: with both on, the gateway's split and the mesh split multiply. Turn one off." -}}
{{- end -}}
{{- end }}
