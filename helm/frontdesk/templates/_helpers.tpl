{{/*
Names. The release's base name is at most 20 characters and a clinic id at
most 20, so "<base>-<clinic>-record-keeper" stays within 63.
*/}}
{{- define "frontdesk.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 20 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 20 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* The name of a clinic's workload: (dict "root" $ "clinic" $clinic "component" "answer") */}}
{{- define "frontdesk.clinicName" -}}
{{- printf "%s-%s-%s" (include "frontdesk.fullname" .root) .clinic.id .component -}}
{{- end -}}

{{- define "frontdesk.selectorLabels" -}}
app.kubernetes.io/name: frontdesk
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- if .clinic }}
frontdesk/clinic: {{ .clinic.id }}
{{- end }}
{{- end -}}

{{- define "frontdesk.labels" -}}
{{ include "frontdesk.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{/* Labels of every pod of this release (for NetworkPolicies). */}}
{{- define "frontdesk.releaseSelector" -}}
app.kubernetes.io/name: frontdesk
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "frontdesk.image" -}}
{{- printf "%s%s/%s:%s" .root.Values.image.registry .root.Values.image.repository .component .root.Values.image.tag -}}
{{- end -}}

{{/* SIGTERM -> preStop sleep, drain, producer flush (10 s), and a margin. */}}
{{- define "frontdesk.terminationGrace" -}}
{{- add .Values.preStopSleepSeconds .Values.drainSeconds 15 -}}
{{- end -}}

{{- define "frontdesk.keyringSecret" -}}
{{- default .root.Values.keyring.existingSecret .clinic.keyringSecret -}}
{{- end -}}

{{- define "frontdesk.policyConfigMap" -}}
{{- if .clinic.policy.existingConfigMap -}}
{{- .clinic.policy.existingConfigMap -}}
{{- else -}}
{{- printf "%s-%s-policy" (include "frontdesk.fullname" .root) .clinic.id -}}
{{- end -}}
{{- end -}}

{{/*
FRONTDESK_KAFKA_PROPERTIES: k=v,k=v for librdkafka. The SASL password is a
reference to an earlier environment variable, expanded by the kubelet, so the
manifest never holds it.
*/}}
{{- define "frontdesk.kafkaProperties" -}}
{{- $k := .Values.kafka -}}
{{- $props := list -}}
{{- if and $k.tls.enabled $k.sasl.enabled -}}
{{- $props = append $props "security.protocol=SASL_SSL" -}}
{{- else if $k.tls.enabled -}}
{{- $props = append $props "security.protocol=SSL" -}}
{{- else if $k.sasl.enabled -}}
{{- $props = append $props "security.protocol=SASL_PLAINTEXT" -}}
{{- end -}}
{{- if $k.tls.enabled -}}
{{- $props = append $props (printf "ssl.ca.location=/etc/frontdesk/kafka-tls/ca/%s" $k.tls.caSecret.key) -}}
{{- if $k.tls.clientCertSecret.name -}}
{{- $props = append $props (printf "ssl.certificate.location=/etc/frontdesk/kafka-tls/client/%s" $k.tls.clientCertSecret.certKey) -}}
{{- $props = append $props (printf "ssl.key.location=/etc/frontdesk/kafka-tls/client/%s" $k.tls.clientCertSecret.keyKey) -}}
{{- end -}}
{{- end -}}
{{- if $k.sasl.enabled -}}
{{- $props = append $props (printf "sasl.mechanisms=%s" $k.sasl.mechanism) -}}
{{- $props = append $props (printf "sasl.username=%s" $k.sasl.username) -}}
{{- $props = append $props "sasl.password=$(FRONTDESK_KAFKA_SASL_PASSWORD)" -}}
{{- end -}}
{{- range $key := keys $k.properties | sortAlpha -}}
{{- $props = append $props (printf "%s=%v" $key (index $k.properties $key)) -}}
{{- end -}}
{{- join "," $props -}}
{{- end -}}

{{/* Environment shared by every service container. */}}
{{- define "frontdesk.commonEnv" -}}
- name: FRONTDESK_HOST
  value: "0.0.0.0"
- name: FRONTDESK_JOURNAL_DIR
  value: /var/lib/frontdesk/journal
- name: FRONTDESK_KAFKA_BROKERS
  value: {{ .Values.kafka.bootstrapServers | quote }}
{{- if .Values.kafka.sasl.enabled }}
- name: FRONTDESK_KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.kafka.sasl.passwordSecret.name }}
      key: {{ .Values.kafka.sasl.passwordSecret.key }}
{{- end }}
- name: FRONTDESK_KAFKA_PROPERTIES
  value: {{ include "frontdesk.kafkaProperties" . | quote }}
{{- end -}}

{{/* Flags shared by every service: ports, drain, the durability bound, topics. */}}
{{- define "frontdesk.commonArgs" -}}
- --grpc_port={{ .service.grpcPort }}
- --health_port={{ .service.healthPort }}
- --metrics_port={{ .service.metricsPort }}
{{- if .root.Values.tls.enabled }}
- --tls_dir=/etc/frontdesk/tls
{{- else }}
- --plaintext_for_development
{{- end }}
- --drain_seconds={{ .root.Values.drainSeconds }}
- --append_timeout_ms={{ .root.Values.kafka.appendTimeoutMs }}
- --topic_partitions={{ .root.Values.kafka.topics.partitions }}
- --topic_replication_factor={{ .root.Values.kafka.topics.replicationFactor }}
- --topic_min_insync_replicas={{ .root.Values.kafka.topics.minInsyncReplicas }}
- --topic_retention_ms={{ .root.Values.kafka.topics.retentionMs | int64 }}
{{- end -}}

{{- define "frontdesk.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurityContext.runAsUser }}
runAsGroup: {{ .Values.podSecurityContext.runAsGroup }}
fsGroup: {{ .Values.podSecurityContext.fsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "frontdesk.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurityContext.runAsUser }}
runAsGroup: {{ .Values.podSecurityContext.runAsGroup }}
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
privileged: false
capabilities:
  drop: ["ALL"]
{{- end -}}

{{/* gRPC health probes on the service's gRPC port. */}}
{{- define "frontdesk.probes" -}}
startupProbe:
  grpc:
    port: {{ .healthPort }}
  periodSeconds: 5
  timeoutSeconds: 3
  # Start-up creates topics and, for handoff-prep, rebuilds the open
  # handoffs from Kafka: up to 5 minutes.
  failureThreshold: 60
livenessProbe:
  grpc:
    port: {{ .healthPort }}
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
readinessProbe:
  grpc:
    port: {{ .healthPort }}
  periodSeconds: 5
  timeoutSeconds: 3
  failureThreshold: 2
{{- end -}}

{{- define "frontdesk.lifecycle" -}}
lifecycle:
  preStop:
    exec:
      command: ["sleep", "{{ .Values.preStopSleepSeconds }}"]
{{- end -}}

{{- define "frontdesk.affinity" -}}
{{- $labels := include "frontdesk.selectorLabels" . | fromYaml -}}
affinity:
  podAntiAffinity:
{{- if eq .root.Values.podAntiAffinity "hard" }}
    requiredDuringSchedulingIgnoredDuringExecution:
      - topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
{{ toYaml $labels | indent 12 }}
{{- else }}
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          topologyKey: kubernetes.io/hostname
          labelSelector:
            matchLabels:
{{ toYaml $labels | indent 14 }}
{{- end }}
{{- with .root.Values.nodeSelector }}
nodeSelector:
{{ toYaml . | indent 2 }}
{{- end }}
{{- with .root.Values.tolerations }}
tolerations:
{{ toYaml . | indent 2 }}
{{- end }}
{{- with .root.Values.image.pullSecrets }}
imagePullSecrets:
{{ toYaml . | indent 2 }}
{{- end }}
{{- end -}}

{{/* Volumes every service pod has: the journal, /tmp, Kafka TLS, gRPC TLS. */}}
{{- define "frontdesk.commonVolumes" -}}
- name: journal
  emptyDir:
    sizeLimit: {{ .root.Values.journal.sizeLimit }}
- name: tmp
  emptyDir:
    medium: Memory
    sizeLimit: 16Mi
{{- if .root.Values.kafka.tls.enabled }}
- name: kafka-ca
  secret:
    secretName: {{ .root.Values.kafka.tls.caSecret.name }}
    defaultMode: 0440
    items:
      - key: {{ .root.Values.kafka.tls.caSecret.key }}
        path: {{ .root.Values.kafka.tls.caSecret.key }}
{{- if .root.Values.kafka.tls.clientCertSecret.name }}
- name: kafka-client
  secret:
    secretName: {{ .root.Values.kafka.tls.clientCertSecret.name }}
    defaultMode: 0440
    items:
      - key: {{ .root.Values.kafka.tls.clientCertSecret.certKey }}
        path: {{ .root.Values.kafka.tls.clientCertSecret.certKey }}
      - key: {{ .root.Values.kafka.tls.clientCertSecret.keyKey }}
        path: {{ .root.Values.kafka.tls.clientCertSecret.keyKey }}
{{- end }}
{{- end }}
{{- if .root.Values.tls.enabled }}
- name: grpc-tls
  secret:
    secretName: {{ if .root.Values.tls.certManager.enabled }}{{ printf "%s-tls" .name }}{{ else }}{{ .root.Values.tls.existingSecret }}{{ end }}
    defaultMode: 0440
{{- end }}
{{- end -}}

{{- define "frontdesk.commonMounts" -}}
- name: journal
  mountPath: /var/lib/frontdesk
- name: tmp
  mountPath: /tmp
{{- if .Values.kafka.tls.enabled }}
- name: kafka-ca
  mountPath: /etc/frontdesk/kafka-tls/ca
  readOnly: true
{{- if .Values.kafka.tls.clientCertSecret.name }}
- name: kafka-client
  mountPath: /etc/frontdesk/kafka-tls/client
  readOnly: true
{{- end }}
{{- end }}
{{- if .Values.tls.enabled }}
- name: grpc-tls
  mountPath: /etc/frontdesk/tls
  readOnly: true
{{- end }}
{{- end -}}

{{/*
The keyring: the Secret is mounted group-readable (fsGroup), and an init
container copies it to a memory-backed emptyDir with mode 600 owned by the
service's user, as the keyring loader demands (libs/phi/README.md).
*/}}
{{- define "frontdesk.keyringVolumes" -}}
- name: keyring-secret
  secret:
    secretName: {{ include "frontdesk.keyringSecret" . }}
    defaultMode: 0440
    items:
      - key: {{ .root.Values.keyring.secretKey }}
        path: keyring
- name: keyring
  emptyDir:
    medium: Memory
    sizeLimit: 1Mi
{{- end -}}

{{- define "frontdesk.keyringInit" -}}
- name: keyring
  image: {{ include "frontdesk.image" . }}
  imagePullPolicy: {{ .root.Values.image.pullPolicy }}
  command: ["install", "-m", "0600", "/etc/frontdesk/keyring-secret/keyring", "/var/run/frontdesk/keys/keyring"]
  securityContext:
{{ include "frontdesk.containerSecurityContext" .root | indent 4 }}
  resources:
    requests: {cpu: 10m, memory: 16Mi}
    limits: {cpu: 100m, memory: 32Mi}
  volumeMounts:
    - name: keyring-secret
      mountPath: /etc/frontdesk/keyring-secret
      readOnly: true
    - name: keyring
      mountPath: /var/run/frontdesk/keys
{{- end -}}

{{- define "frontdesk.policyVolume" -}}
- name: policy
  configMap:
    name: {{ include "frontdesk.policyConfigMap" . }}
    items:
      - key: policy.yaml
        path: policy.yaml
{{- end -}}

{{/* A pod annotation that changes with an inline policy, so the pods that read
the policy only at start restart when it changes. */}}
{{- define "frontdesk.policyChecksum" -}}
{{- if and .policy.yaml (not .policy.existingConfigMap) -}}
checksum/policy: {{ .policy.yaml | sha256sum }}
{{- end -}}
{{- end -}}
