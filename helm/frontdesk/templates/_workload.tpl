{{/*
One service's Deployment, Service, PodDisruptionBudget and (when it scales
out) HorizontalPodAutoscaler. Called with a dict:
  root       the chart's $
  component  answer | rules-check | handoff-prep | record-keeper
  clinic     the clinic (absent for record-keeper)
  service    the service's values (grpcPort, metricsPort, replicas, ...)
  args       extra flags (a list)
  env        extra environment (a list of EnvVar objects)
  policy     mount the clinic's policy
  keyring    mount the keyring
  autoscale  render an HPA when service.autoscaling.enabled
  recreate   replace the pod instead of rolling (one writer at a time)
  ports      extra container ports (a list of ContainerPort objects)
  annotations  extra pod annotations (a dict)
*/}}
{{- define "frontdesk.workload" -}}
{{- $root := .root -}}
{{- $name := "" -}}
{{- if .clinic -}}
{{- $name = include "frontdesk.clinicName" . -}}
{{- else -}}
{{- $name = printf "%s-%s" (include "frontdesk.fullname" $root) .component -}}
{{- end -}}
{{- $ctx := dict "root" $root "component" .component "clinic" .clinic "name" $name -}}
{{- $svc := .service -}}
{{- $hpa := and .autoscale $svc.autoscaling $svc.autoscaling.enabled -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $name }}
  labels:
{{ include "frontdesk.labels" $ctx | indent 4 }}
spec:
{{- if not $hpa }}
  replicas: {{ $svc.replicas }}
{{- end }}
  revisionHistoryLimit: 5
{{- if .recreate }}
  strategy:
    type: Recreate
{{- else }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: 1
{{- end }}
  selector:
    matchLabels:
{{ include "frontdesk.selectorLabels" $ctx | indent 6 }}
  template:
    metadata:
      labels:
{{ include "frontdesk.selectorLabels" $ctx | indent 8 }}
{{- with $root.Values.podLabels }}
{{ toYaml . | indent 8 }}
{{- end }}
      annotations:
        kubectl.kubernetes.io/default-container: {{ .component }}
{{- with .annotations }}
{{ toYaml . | indent 8 }}
{{- end }}
{{- with $root.Values.podAnnotations }}
{{ toYaml . | indent 8 }}
{{- end }}
    spec:
      automountServiceAccountToken: false
      enableServiceLinks: false
      terminationGracePeriodSeconds: {{ include "frontdesk.terminationGrace" $root }}
      securityContext:
{{ include "frontdesk.podSecurityContext" $root | indent 8 }}
{{ include "frontdesk.affinity" $ctx | indent 6 }}
{{- if .keyring }}
      initContainers:
{{ include "frontdesk.keyringInit" $ctx | indent 8 }}
{{- end }}
      containers:
        - name: {{ .component }}
          image: {{ include "frontdesk.image" $ctx }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          args:
{{ include "frontdesk.commonArgs" (dict "root" $root "service" $svc) | indent 12 }}
{{- with .args }}
{{ toYaml . | indent 12 }}
{{- end }}
{{- with $svc.extraArgs }}
{{ toYaml . | indent 12 }}
{{- end }}
          env:
{{ include "frontdesk.commonEnv" $root | indent 12 }}
{{- if .policy }}
            - name: FRONTDESK_POLICY
              value: /etc/frontdesk/policy/policy.yaml
{{- end }}
{{- if .keyring }}
            - name: FRONTDESK_KEYRING_FILE
              value: /var/run/frontdesk/keys/keyring
{{- end }}
{{- if $root.Values.signingKeys.existingSecret }}
            - name: FRONTDESK_SIGNING_KEY_FILE
              value: /var/run/frontdesk/signing/{{ .component }}.key
{{- end }}
{{- with .env }}
{{ toYaml . | indent 12 }}
{{- end }}
          ports:
            - name: grpc
              containerPort: {{ $svc.grpcPort }}
              protocol: TCP
            - name: health
              containerPort: {{ $svc.healthPort }}
              protocol: TCP
            - name: metrics
              containerPort: {{ $svc.metricsPort }}
              protocol: TCP
{{- with .ports }}
{{ toYaml . | indent 12 }}
{{- end }}
{{ include "frontdesk.probes" $svc | indent 10 }}
{{ include "frontdesk.lifecycle" $root | indent 10 }}
          resources:
{{ toYaml $svc.resources | indent 12 }}
          securityContext:
{{ include "frontdesk.containerSecurityContext" $root | indent 12 }}
          volumeMounts:
{{ include "frontdesk.commonMounts" $root | indent 12 }}
{{- if .policy }}
            - name: policy
              mountPath: /etc/frontdesk/policy
              readOnly: true
{{- end }}
{{- if .keyring }}
            - name: keyring
              mountPath: /var/run/frontdesk/keys
              readOnly: true
{{- end }}
{{- if $root.Values.signingKeys.existingSecret }}
            - name: signing-key
              mountPath: /var/run/frontdesk/signing
              readOnly: true
{{- end }}
      volumes:
{{ include "frontdesk.commonVolumes" $ctx | indent 8 }}
{{- if .policy }}
{{ include "frontdesk.policyVolume" $ctx | indent 8 }}
{{- end }}
{{- if .keyring }}
{{ include "frontdesk.keyringVolumes" $ctx | indent 8 }}
{{- end }}
{{- if $root.Values.signingKeys.existingSecret }}
        - name: signing-key
          secret:
            secretName: {{ $root.Values.signingKeys.existingSecret }}
            defaultMode: 0440
            items:
              - key: {{ .component }}.key
                path: {{ .component }}.key
{{- end }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ $name }}
  labels:
{{ include "frontdesk.labels" $ctx | indent 4 }}
spec:
  type: ClusterIP
  selector:
{{ include "frontdesk.selectorLabels" $ctx | indent 4 }}
  ports:
    - name: grpc
      port: {{ $svc.grpcPort }}
      targetPort: grpc
      protocol: TCP
      appProtocol: grpc
    - name: metrics
      port: {{ $svc.metricsPort }}
      targetPort: metrics
      protocol: TCP
{{- range .ports }}
    - name: {{ .name }}
      port: {{ .containerPort }}
      targetPort: {{ .name }}
      protocol: TCP
{{- end }}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ $name }}
  labels:
{{ include "frontdesk.labels" $ctx | indent 4 }}
spec:
  maxUnavailable: {{ $svc.pdb.maxUnavailable }}
  selector:
    matchLabels:
{{ include "frontdesk.selectorLabels" $ctx | indent 6 }}
{{- if $hpa }}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ $name }}
  labels:
{{ include "frontdesk.labels" $ctx | indent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ $name }}
  minReplicas: {{ $svc.autoscaling.minReplicas }}
  maxReplicas: {{ $svc.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $svc.autoscaling.targetCPUUtilizationPercentage }}
  behavior:
    scaleDown:
      # Scale down slowly: a replica that goes away hands its calls to others,
      # which resume them from Kafka.
      stabilizationWindowSeconds: 300
{{- end }}
{{- end -}}
