#!/usr/bin/env python3
"""Checks the manifests `helm template` rendered from helm/frontdesk.

Usage: check_manifests.py RENDERED.yaml

The rules (helm/README.md lists them for readers):
  workloads   every Deployment's containers (init containers too) have
              resource requests and limits; every service container has a
              liveness and a readiness probe on the gRPC health service
              (Kubernetes' grpc: probe on its gRPC port); a grace period no
              shorter than the drain plus the producer flush; pod
              anti-affinity; the journal on an emptyDir.
  not root    runAsNonRoot true and runAsUser not 0, on the pod and every
              container; a read-only root filesystem; no privilege
              escalation; ALL capabilities dropped; no host namespaces.
  secrets     no environment variable or flag whose plain value is or looks
              like a key, token or password (those come from secretKeyRef or
              files); no PHI-looking values (phone numbers, e-mail
              addresses); the keyring comes from a Secret volume; the chart
              renders no Secret with data in it.
  topics      every KafkaTopic: replication factor >= 3, min.insync.replicas
              >= 2, unclean leader election off, retention of at least six
              years (or forever), cleanup.policy delete (never compact), no
              size limit, kept on helm uninstall; the three fixed topics and
              one handoff topic at least; the services' own topic flags agree.
  scaling     a PodDisruptionBudget per Deployment; no autoscaler on
              handoff-prep (one writer per clinic) or record-keeper;
              handoff-prep has one replica and is replaced, not rolled.
  network     NetworkPolicies present, and every frontdesk pod selected by
              one that covers both ingress and egress.
Prints one line per broken rule and exits 1 if there is any.
"""
import re
import sys

import yaml

SECRET_NAME = re.compile(r"KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL", re.I)
# A literal secret in a value: key material, or "password=<literal>" (a
# kubelet reference such as $(FRONTDESK_KAFKA_SASL_PASSWORD) is allowed).
SECRET_VALUE = re.compile(
    r"-----BEGIN|(?<![0-9a-fA-F])[0-9a-fA-F]{64}(?![0-9a-fA-F])|"
    r"(password|secret|token|api[._-]?key)[^=,]*=(?!\$\()[^,\s]+", re.I)
PHI_VALUE = re.compile(
    r"\(?\b\d{3}\)?[ .-]\d{3}[ .-]\d{4}\b|[\w.+-]+@[\w-]+\.[\w.-]+|\b\d{3}-\d{2}-\d{4}\b")
SIX_YEARS_MS = 2192 * 24 * 3600 * 1000  # six years and their leap days
FIXED_TOPICS = {"frontdesk.calls.v1", "frontdesk.access.v1", "frontdesk.policy.v1"}
FLUSH_SECONDS = 10  # ServeUntilShutdown's final producer flush
NO_AUTOSCALE = {"handoff-prep", "record-keeper"}


class Checker:
    def __init__(self, docs):
        self.docs = [d for d in docs if isinstance(d, dict) and d.get("kind")]
        self.errors = []

    def fail(self, doc, message):
        kind = doc.get("kind", "?") if doc else "chart"
        name = (doc or {}).get("metadata", {}).get("name", "")
        self.errors.append(f"{kind}/{name}: {message}" if doc else message)

    def of_kind(self, kind):
        return [d for d in self.docs if d["kind"] == kind]

    # --- workloads -------------------------------------------------------

    def check_deployments(self):
        deployments = self.of_kind("Deployment")
        if not deployments:
            self.fail(None, "no Deployment rendered")
        for d in deployments:
            pod = d["spec"]["template"]["spec"]
            self.check_pod_security(d, pod)
            containers = pod.get("containers", [])
            inits = pod.get("initContainers", [])
            for c in inits + containers:
                self.check_container_security(d, pod, c)
                self.check_resources(d, c)
                self.check_env_and_args(d, c)
            for c in containers:
                self.check_probes(d, c)
                self.check_grace(d, pod, c)
            self.check_journal(d, pod, containers)
            self.check_keyring(d, pod, inits + containers)
            if "podAntiAffinity" not in (pod.get("affinity") or {}):
                self.fail(d, "no pod anti-affinity")
            component = component_of(d)
            if component == "handoff-prep":
                if d["spec"].get("replicas", 1) != 1:
                    self.fail(d, "handoff-prep must run exactly one replica")
                if d["spec"].get("strategy", {}).get("type") != "Recreate":
                    self.fail(d, "handoff-prep must be replaced (Recreate), never two at once")

    def check_pod_security(self, d, pod):
        sc = pod.get("securityContext") or {}
        if sc.get("runAsNonRoot") is not True:
            self.fail(d, "pod securityContext.runAsNonRoot is not true")
        if not isinstance(sc.get("runAsUser"), int) or sc.get("runAsUser") == 0:
            self.fail(d, "pod securityContext.runAsUser is unset or 0")
        for host in ("hostNetwork", "hostPID", "hostIPC"):
            if pod.get(host):
                self.fail(d, f"{host} is on")

    def check_container_security(self, d, pod, c):
        sc = c.get("securityContext") or {}
        pod_sc = pod.get("securityContext") or {}
        where = f"container {c['name']}"
        non_root = sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot"))
        uid = sc.get("runAsUser", pod_sc.get("runAsUser"))
        if non_root is not True:
            self.fail(d, f"{where}: runAsNonRoot is not true")
        if uid == 0:
            self.fail(d, f"{where}: runs as uid 0")
        if sc.get("readOnlyRootFilesystem") is not True:
            self.fail(d, f"{where}: the root filesystem is not read-only")
        if sc.get("allowPrivilegeEscalation") is not False:
            self.fail(d, f"{where}: privilege escalation is not turned off")
        if sc.get("privileged"):
            self.fail(d, f"{where}: privileged")
        if "ALL" not in ((sc.get("capabilities") or {}).get("drop") or []):
            self.fail(d, f"{where}: does not drop ALL capabilities")
        if (sc.get("capabilities") or {}).get("add"):
            self.fail(d, f"{where}: adds capabilities")

    def check_resources(self, d, c):
        res = c.get("resources") or {}
        for part in ("requests", "limits"):
            for r in ("cpu", "memory"):
                if not (res.get(part) or {}).get(r):
                    self.fail(d, f"container {c['name']}: no {part}.{r}")

    def check_probes(self, d, c):
        # The kubelet cannot present a client certificate: probes ask the
        # plaintext, health-only port (--health_port).
        health_port = next((p["containerPort"] for p in c.get("ports", [])
                            if p.get("name") == "health"), None)
        if health_port is None:
            self.fail(d, f"container {c['name']}: no port named health")
        elif flag_value(c, "health_port") != str(health_port):
            self.fail(d, f"container {c['name']}: --health_port is not the port named health")
        for probe in ("livenessProbe", "readinessProbe"):
            p = c.get(probe)
            if not p:
                self.fail(d, f"container {c['name']}: no {probe}")
            elif (p.get("grpc") or {}).get("port") not in (health_port, "health"):
                self.fail(d, f"container {c['name']}: {probe} is not a grpc probe on the health port")

    def check_grace(self, d, pod, c):
        drain = flag_value(c, "drain_seconds")
        if drain is None:
            self.fail(d, f"container {c['name']}: no --drain_seconds")
            return
        pre_stop = 0
        command = (((c.get("lifecycle") or {}).get("preStop") or {}).get("exec") or {}).get("command") or []
        if len(command) == 2 and command[0] == "sleep" and command[1].isdigit():
            pre_stop = int(command[1])
        need = pre_stop + int(drain) + FLUSH_SECONDS
        grace = pod.get("terminationGracePeriodSeconds", 30)
        if grace < need:
            self.fail(d, f"terminationGracePeriodSeconds {grace} is below preStop {pre_stop} "
                         f"+ drain {drain} + flush {FLUSH_SECONDS}")

    def check_journal(self, d, pod, containers):
        volumes = {v["name"]: v for v in pod.get("volumes", [])}
        for c in containers:
            journal = env_value(c, "FRONTDESK_JOURNAL_DIR")
            if not journal:
                self.fail(d, f"container {c['name']}: FRONTDESK_JOURNAL_DIR is not set")
                continue
            mount = mount_for(c, journal)
            if mount is None or "emptyDir" not in volumes.get(mount["name"], {}):
                self.fail(d, f"container {c['name']}: the journal {journal} is not on an emptyDir")

    def check_keyring(self, d, pod, containers):
        volumes = {v["name"]: v for v in pod.get("volumes", [])}
        for c in containers:
            keyring = env_value(c, "FRONTDESK_KEYRING_FILE") or flag_value(c, "keyring_file")
            if not keyring:
                continue
            mount = mount_for(c, keyring)
            volume = volumes.get(mount["name"]) if mount else None
            if volume is None:
                self.fail(d, f"container {c['name']}: the keyring {keyring} is on no volume")
            elif "secret" in volume:
                continue
            elif (volume.get("emptyDir") or {}).get("medium") == "Memory":
                # Copied there from a Secret volume by an init container.
                secret_volumes = {n for n, v in volumes.items() if "secret" in v}
                copied = any(m["name"] in secret_volumes
                             for i in pod.get("initContainers", [])
                             for m in i.get("volumeMounts", []))
                if not copied:
                    self.fail(d, "the keyring's memory volume is filled from no Secret")
            else:
                self.fail(d, f"container {c['name']}: the keyring comes from neither a Secret "
                             "nor a memory volume filled from one")

    def check_env_and_args(self, d, c):
        where = f"container {c['name']}"
        for e in c.get("env", []):
            name, value = e["name"], e.get("value")
            if value is None:
                ref = e.get("valueFrom") or {}
                if SECRET_NAME.search(name) and "secretKeyRef" not in ref and "fieldRef" not in ref:
                    self.fail(d, f"{where}: env {name} is not from a Secret")
                continue
            value = str(value)
            if SECRET_NAME.search(name) and not value.startswith("/"):
                self.fail(d, f"{where}: env {name} holds a plain value; take it from a Secret")
            if SECRET_VALUE.search(value):
                self.fail(d, f"{where}: env {name} has a secret in plain text")
            if PHI_VALUE.search(value):
                self.fail(d, f"{where}: env {name} looks like it holds PHI")
        for arg in (c.get("args") or []) + (c.get("command") or []):
            if SECRET_VALUE.search(str(arg)):
                self.fail(d, f"{where}: a flag has a secret in plain text")
            if PHI_VALUE.search(str(arg)):
                self.fail(d, f"{where}: a flag looks like it holds PHI")

    # --- secrets and config -------------------------------------------------

    def check_secrets_and_configmaps(self):
        for s in self.of_kind("Secret"):
            if s.get("data") or s.get("stringData"):
                self.fail(s, "the chart renders a Secret with data; keys never go in values")
        for cm in self.of_kind("ConfigMap"):
            for key, value in (cm.get("data") or {}).items():
                if re.search(r"-----BEGIN|(?<![0-9a-fA-F])[0-9a-fA-F]{64}(?![0-9a-fA-F])", str(value)):
                    self.fail(cm, f"{key} holds what looks like key material")

    # --- topics -----------------------------------------------------------

    def check_topics(self):
        topics = self.of_kind("KafkaTopic")
        if not topics:
            self.fail(None, "no KafkaTopic rendered")
            return
        names = set()
        for t in topics:
            spec = t.get("spec") or {}
            name = spec.get("topicName", t["metadata"]["name"])
            names.add(name)
            config = spec.get("config") or {}
            if not isinstance(spec.get("replicas"), int) or spec["replicas"] < 3:
                self.fail(t, f"replicas {spec.get('replicas')}: want at least 3")
            if int(config.get("min.insync.replicas", 1)) < 2:
                self.fail(t, "min.insync.replicas: want at least 2")
            if config.get("unclean.leader.election.enable") not in (False, "false"):
                self.fail(t, "unclean.leader.election.enable must be false")
            retention = int(config.get("retention.ms", 7 * 24 * 3600 * 1000))
            if retention != -1 and retention < SIX_YEARS_MS:
                self.fail(t, f"retention.ms {retention}: want at least six years ({SIX_YEARS_MS})")
            if config.get("cleanup.policy") != "delete":
                self.fail(t, f"cleanup.policy {config.get('cleanup.policy')!r}: want delete, never compact")
            if int(config.get("retention.bytes", -1)) != -1:
                self.fail(t, "retention.bytes must be -1: no size limit on the audit log")
            annotations = t["metadata"].get("annotations") or {}
            if annotations.get("helm.sh/resource-policy") != "keep":
                self.fail(t, "not kept on helm uninstall (helm.sh/resource-policy: keep)")
        for missing in sorted(FIXED_TOPICS - names):
            self.fail(None, f"no KafkaTopic for {missing}")
        if not any(re.fullmatch(r"frontdesk\.handoff\.[a-z0-9-]+\.v1", n) for n in names):
            self.fail(None, "no KafkaTopic for a handoff queue")
        for d in self.of_kind("Deployment"):
            for c in d["spec"]["template"]["spec"].get("containers", []):
                rf = flag_value(c, "topic_replication_factor")
                isr = flag_value(c, "topic_min_insync_replicas")
                ret = flag_value(c, "topic_retention_ms")
                if rf is None or int(rf) < 3 or isr is None or int(isr) < 2:
                    self.fail(d, "the service would create topics below replication 3 / min.insync 2")
                if ret is None or (int(ret) != -1 and int(ret) < SIX_YEARS_MS):
                    self.fail(d, "the service would create topics kept less than six years")

    # --- scaling ------------------------------------------------------------

    def check_disruption_and_scaling(self):
        pdbs = self.of_kind("PodDisruptionBudget")
        for d in self.of_kind("Deployment"):
            labels = d["spec"]["template"]["metadata"].get("labels") or {}
            if not any(selects(p["spec"].get("selector"), labels) for p in pdbs):
                self.fail(d, "no PodDisruptionBudget selects its pods")
        deployments = {d["metadata"]["name"]: d for d in self.of_kind("Deployment")}
        for h in self.of_kind("HorizontalPodAutoscaler"):
            target = deployments.get(h["spec"]["scaleTargetRef"]["name"])
            if target is None:
                self.fail(h, "scales no Deployment of this chart")
            elif component_of(target) in NO_AUTOSCALE:
                self.fail(h, f"{component_of(target)} must not be autoscaled")

    # --- network ------------------------------------------------------------

    def check_network_policies(self):
        policies = self.of_kind("NetworkPolicy")
        if not policies:
            self.fail(None, "no NetworkPolicy rendered")
            return
        for d in self.of_kind("Deployment"):
            labels = d["spec"]["template"]["metadata"].get("labels") or {}
            covering = [p for p in policies if selects(p["spec"].get("podSelector"), labels)]
            types = {t for p in covering for t in p["spec"].get("policyTypes", [])}
            if not {"Ingress", "Egress"} <= types:
                self.fail(d, "its pods are not covered by a NetworkPolicy for both ingress and egress")

    def run(self):
        self.check_deployments()
        self.check_secrets_and_configmaps()
        self.check_topics()
        self.check_disruption_and_scaling()
        self.check_network_policies()
        return self.errors


def component_of(doc):
    return (doc["metadata"].get("labels") or {}).get("app.kubernetes.io/component", "")


def selects(selector, labels):
    if not selector:
        return False
    wanted = selector.get("matchLabels") or {}
    if selector.get("matchExpressions"):
        return False  # the chart uses matchLabels only
    return bool(wanted) and all(labels.get(k) == v for k, v in wanted.items())


def env_value(container, name):
    for e in container.get("env", []):
        if e["name"] == name:
            return e.get("value")
    return None


def flag_value(container, flag):
    value = None
    for arg in container.get("args") or []:
        arg = str(arg)
        if arg.startswith(f"--{flag}="):
            value = arg.split("=", 1)[1]
    return value


def mount_for(container, path):
    """The volume mount that holds `path` (the longest matching mountPath)."""
    best = None
    for m in container.get("volumeMounts", []):
        mp = m["mountPath"].rstrip("/")
        if path == mp or path.startswith(mp + "/"):
            if best is None or len(mp) > len(best["mountPath"].rstrip("/")):
                best = m
    return best


def check_text(text):
    return Checker(list(yaml.safe_load_all(text))).run()


def main(argv):
    if len(argv) != 2:
        print("usage: check_manifests.py RENDERED.yaml", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        text = f.read()
    docs = [d for d in yaml.safe_load_all(text) if isinstance(d, dict)]
    errors = Checker(docs).run()
    for e in errors:
        print(f"{argv[1]}: {e}")
    kinds = {}
    for d in docs:
        kinds[d.get("kind")] = kinds.get(d.get("kind"), 0) + 1
    summary = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    print(f"check_manifests: {argv[1]}: {summary}; {len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
