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
Database. Three ways to get credentials:
  1. postgresql.auth.password (--set): the chart creates <release>-db with the raw and the
     percent-encoded password;
  2. postgresql.auth.existingSecret: an existing Secret with the password;
  3. postgresql.enabled=false + postgresql.external.existingSecret: complete URLs in a Secret.
In 1 and 2 DB_CONNECTION_STRING is assembled from $(DB_PASSWORD), so no password is ever
rendered outside a Secret.
--------------------------------------------------------------------------------------- */}}
{{- define "cinemaabyss.usesUrlSecret" -}}
{{- if and (not .Values.postgresql.enabled) .Values.postgresql.external.existingSecret }}true{{ end -}}
{{- end }}

{{- define "cinemaabyss.createDbSecret" -}}
{{- if and (not (include "cinemaabyss.usesUrlSecret" .)) (not .Values.postgresql.auth.existingSecret) }}true{{ end -}}
{{- end }}

{{- define "cinemaabyss.dbSecretName" -}}
{{- .Values.postgresql.auth.existingSecret | default (printf "%s-db" .Release.Name) -}}
{{- end }}

{{- define "cinemaabyss.dbPasswordKey" -}}
{{- if .Values.postgresql.auth.existingSecret -}}{{ .Values.postgresql.auth.secretKeys.password }}{{- else -}}password{{- end -}}
{{- end }}

{{- define "cinemaabyss.dbUrlPasswordKey" -}}
{{- if .Values.postgresql.auth.existingSecret -}}
{{- .Values.postgresql.auth.secretKeys.urlPassword | default .Values.postgresql.auth.secretKeys.password -}}
{{- else -}}password-url{{- end -}}
{{- end }}

{{- define "cinemaabyss.dbHost" -}}
{{- if .Values.postgresql.enabled -}}
postgresql.{{ .Release.Namespace }}.svc.{{ .Values.global.clusterDomain }}
{{- else -}}
{{- required "postgresql.external.host is required when postgresql.enabled=false (or set postgresql.external.existingSecret with the URLs)" .Values.postgresql.external.host -}}
{{- end -}}
{{- end }}

{{/* DB_PASSWORD + DB_CONNECTION_STRING env entries: (dict "ctx" $ "db" "main"|"events" ["as" "<VAR>"], the URL's variable, default DB_CONNECTION_STRING) */}}
{{- define "cinemaabyss.dbEnv" -}}
{{- $pg := .ctx.Values.postgresql -}}
{{- $var := .as | default "DB_CONNECTION_STRING" -}}
{{- if include "cinemaabyss.usesUrlSecret" .ctx }}
- name: {{ $var }}
  valueFrom:
    secretKeyRef:
      name: {{ $pg.external.existingSecret }}
      key: {{ eq .db "events" | ternary $pg.external.secretKeys.eventsUrl $pg.external.secretKeys.url }}
{{- else }}
{{- $port := $pg.enabled | ternary 5432 $pg.external.port -}}
{{- $database := eq .db "events" | ternary .ctx.Values.services.events.database $pg.auth.database -}}
{{- $params := and (not $pg.enabled) (ne $pg.external.params "") | ternary (printf "?%s" $pg.external.params) "" }}
- name: DB_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "cinemaabyss.dbSecretName" .ctx }}
      key: {{ include "cinemaabyss.dbUrlPasswordKey" .ctx }}
- name: {{ $var }}
  value: {{ printf "postgres://%s:$(DB_PASSWORD)@%s:%v/%s%s" (urlquery $pg.auth.username) (include "cinemaabyss.dbHost" .ctx) $port $database $params | quote }}
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
{{- if include "cinemaabyss.createDbSecret" . -}}
{{- $_ := required "postgresql.auth.password is required: install with --set postgresql.auth.password=<password>, or set postgresql.auth.existingSecret to a Secret holding it (with postgresql.enabled=false, postgresql.external.existingSecret may hold the URLs instead)" $pg.auth.password -}}
{{- end -}}
{{- if and $pg.auth.password $pg.auth.existingSecret -}}
{{- fail "set either postgresql.auth.password or postgresql.auth.existingSecret, not both" -}}
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
