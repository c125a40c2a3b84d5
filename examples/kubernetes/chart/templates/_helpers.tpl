{{/* The chart's name, and the release's full name for its objects. */}}
{{- define "dbscim.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "dbscim.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "dbscim.selectorLabels" -}}
app.kubernetes.io/name: {{ include "dbscim.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "dbscim.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "dbscim.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "dbscim.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "dbscim.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* tls mode: "off", "auto" or "secret". YAML 1.1 reads a bare off as false. */}}
{{- define "dbscim.tlsMode" -}}
{{- $m := toString .Values.server.tls.mode }}
{{- if or (eq $m "false") (eq $m "off") (eq $m "") }}off
{{- else if or (eq $m "auto") (eq $m "secret") }}{{ $m }}
{{- else }}{{ fail (printf "server.tls.mode: %q; want off, auto or secret" $m) }}
{{- end }}
{{- end }}

{{- define "dbscim.scheme" -}}
{{- if eq (include "dbscim.tlsMode" .) "off" }}HTTP{{ else }}HTTPS{{ end }}
{{- end }}

{{/* The Secret holding the secret files. */}}
{{- define "dbscim.secretName" -}}
{{- default (printf "%s-secrets" (include "dbscim.fullname" .)) .Values.secrets.existingSecret }}
{{- end }}

{{- define "dbscim.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}
