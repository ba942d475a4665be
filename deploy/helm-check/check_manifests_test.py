#!/usr/bin/env python3
"""Shows that check_manifests.py catches what it should: the rendered chart
passes, and each broken copy of it fails with the rule it breaks.

Usage: check_manifests_test.py RENDERED.yaml
"""
import copy
import sys
import unittest

import yaml

import check_manifests

RENDERED = None


def deployments(docs, component=None):
    return [d for d in docs if d.get("kind") == "Deployment"
            and (component is None
                 or d["metadata"]["labels"]["app.kubernetes.io/component"] == component)]


def main_container(d):
    return d["spec"]["template"]["spec"]["containers"][0]


class CheckManifestsTest(unittest.TestCase):
    def setUp(self):
        self.docs = copy.deepcopy(RENDERED)

    def assert_caught(self, fragment):
        errors = check_manifests.Checker(self.docs).run()
        self.assertTrue(any(fragment in e for e in errors),
                        f"no error mentions {fragment!r}; got {errors}")

    def test_the_rendered_chart_passes(self):
        self.assertEqual(check_manifests.Checker(self.docs).run(), [])

    def test_no_limits(self):
        del main_container(deployments(self.docs, "answer")[0])["resources"]["limits"]
        self.assert_caught("no limits.cpu")

    def test_init_container_without_limits(self):
        d = deployments(self.docs, "answer")[0]
        del d["spec"]["template"]["spec"]["initContainers"][0]["resources"]
        self.assert_caught("container keyring: no limits.memory")

    def test_no_readiness_probe(self):
        del main_container(deployments(self.docs, "rules-check")[0])["readinessProbe"]
        self.assert_caught("no readinessProbe")

    def test_http_liveness_probe(self):
        main_container(deployments(self.docs, "record-keeper")[0])["livenessProbe"] = {
            "httpGet": {"port": 9104, "path": "/metrics"}}
        self.assert_caught("livenessProbe is not a grpc probe")

    def test_probe_on_the_mtls_port(self):
        # The kubelet has no client certificate: the gRPC port would refuse it.
        c = main_container(deployments(self.docs, "rules-check")[0])
        c["readinessProbe"] = {"grpc": {"port": 7102}}
        self.assert_caught("readinessProbe is not a grpc probe on the health port")

    def test_root_user(self):
        d = deployments(self.docs, "answer")[0]
        main_container(d)["securityContext"]["runAsUser"] = 0
        self.assert_caught("runs as uid 0")

    def test_run_as_non_root_off(self):
        d = deployments(self.docs, "handoff-prep")[0]
        d["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] = False
        main_container(d)["securityContext"].pop("runAsNonRoot")
        self.assert_caught("runAsNonRoot is not true")

    def test_writable_root(self):
        main_container(deployments(self.docs, "rules-check")[0])["securityContext"][
            "readOnlyRootFilesystem"] = False
        self.assert_caught("root filesystem is not read-only")

    def test_capabilities_kept(self):
        main_container(deployments(self.docs, "answer")[0])["securityContext"][
            "capabilities"] = {"drop": ["NET_RAW"]}
        self.assert_caught("does not drop ALL capabilities")

    def test_privilege_escalation(self):
        main_container(deployments(self.docs, "answer")[0])["securityContext"][
            "allowPrivilegeEscalation"] = True
        self.assert_caught("privilege escalation")

    def test_password_in_plain_env(self):
        main_container(deployments(self.docs, "answer")[0])["env"].append(
            {"name": "KAFKA_SASL_PASSWORD", "value": "hunter2"})
        self.assert_caught("env KAFKA_SASL_PASSWORD holds a plain value")

    def test_password_inside_kafka_properties(self):
        for e in main_container(deployments(self.docs, "answer")[0])["env"]:
            if e["name"] == "FRONTDESK_KAFKA_PROPERTIES":
                e["value"] += ",sasl.password=hunter2"
        self.assert_caught("env FRONTDESK_KAFKA_PROPERTIES has a secret in plain text")

    def test_password_reference_is_fine(self):
        for e in main_container(deployments(self.docs, "answer")[0])["env"]:
            if e["name"] == "FRONTDESK_KAFKA_PROPERTIES":
                e["value"] += ",sasl.password=$(FRONTDESK_KAFKA_SASL_PASSWORD)"
        self.assertEqual(check_manifests.Checker(self.docs).run(), [])

    def test_key_in_a_flag(self):
        main_container(deployments(self.docs, "answer")[0])["args"].append(
            "--tenant_key=" + "0f" * 32)
        self.assert_caught("a flag has a secret in plain text")

    def test_phi_in_env(self):
        main_container(deployments(self.docs, "answer")[0])["env"].append(
            {"name": "TEST_CALLER", "value": "(555) 867-5309"})
        self.assert_caught("env TEST_CALLER looks like it holds PHI")

    def test_keyring_from_a_config_map(self):
        d = deployments(self.docs, "answer")[0]
        pod = d["spec"]["template"]["spec"]
        for v in pod["volumes"]:
            if v["name"] == "keyring":
                v.clear()
                v.update({"name": "keyring", "configMap": {"name": "keys"}})
        self.assert_caught("the keyring comes from neither a Secret")

    def test_secret_rendered_with_data(self):
        self.docs.append({"apiVersion": "v1", "kind": "Secret",
                          "metadata": {"name": "frontdesk-keyring"},
                          "stringData": {"keyring": "sunrise " + "ab" * 32}})
        self.assert_caught("renders a Secret with data")

    def test_topic_replication(self):
        topic = next(d for d in self.docs if d.get("kind") == "KafkaTopic")
        topic["spec"]["replicas"] = 1
        self.assert_caught("want at least 3")

    def test_topic_min_insync(self):
        topic = next(d for d in self.docs if d.get("kind") == "KafkaTopic")
        topic["spec"]["config"]["min.insync.replicas"] = 1
        self.assert_caught("min.insync.replicas")

    def test_topic_compacted(self):
        topic = next(d for d in self.docs if d.get("kind") == "KafkaTopic")
        topic["spec"]["config"]["cleanup.policy"] = "compact,delete"
        self.assert_caught("never compact")

    def test_topic_unclean_election(self):
        topic = next(d for d in self.docs if d.get("kind") == "KafkaTopic")
        topic["spec"]["config"]["unclean.leader.election.enable"] = True
        self.assert_caught("unclean.leader.election.enable")

    def test_topic_retention(self):
        topic = next(d for d in self.docs if d.get("kind") == "KafkaTopic")
        topic["spec"]["config"]["retention.ms"] = 7 * 24 * 3600 * 1000
        self.assert_caught("want at least six years")

    def test_topic_not_kept(self):
        topic = next(d for d in self.docs if d.get("kind") == "KafkaTopic")
        del topic["metadata"]["annotations"]["helm.sh/resource-policy"]
        self.assert_caught("not kept on helm uninstall")

    def test_missing_calls_topic(self):
        self.docs = [d for d in self.docs if not (
            d.get("kind") == "KafkaTopic" and d["spec"]["topicName"] == "frontdesk.calls.v1")]
        self.assert_caught("no KafkaTopic for frontdesk.calls.v1")

    def test_service_topic_flags(self):
        args = main_container(deployments(self.docs, "record-keeper")[0])["args"]
        args.append("--topic_replication_factor=1")
        self.assert_caught("below replication 3")

    def test_missing_pdb(self):
        self.docs = [d for d in self.docs if not (
            d.get("kind") == "PodDisruptionBudget"
            and d["metadata"]["labels"]["app.kubernetes.io/component"] == "rules-check")]
        self.assert_caught("no PodDisruptionBudget")

    def test_autoscaled_handoff_prep(self):
        d = deployments(self.docs, "handoff-prep")[0]
        self.docs.append({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                          "metadata": {"name": "x"},
                          "spec": {"scaleTargetRef": {"name": d["metadata"]["name"]}}})
        self.assert_caught("handoff-prep must not be autoscaled")

    def test_rolling_handoff_prep(self):
        deployments(self.docs, "handoff-prep")[0]["spec"]["strategy"] = {"type": "RollingUpdate"}
        self.assert_caught("Recreate")

    def test_short_grace_period(self):
        deployments(self.docs, "answer")[0]["spec"]["template"]["spec"][
            "terminationGracePeriodSeconds"] = 5
        self.assert_caught("terminationGracePeriodSeconds 5 is below")

    def test_no_anti_affinity(self):
        del deployments(self.docs, "answer")[0]["spec"]["template"]["spec"]["affinity"]
        self.assert_caught("no pod anti-affinity")

    def test_journal_on_the_root_filesystem(self):
        c = main_container(deployments(self.docs, "answer")[0])
        c["volumeMounts"] = [m for m in c["volumeMounts"] if m["name"] != "journal"]
        self.assert_caught("is not on an emptyDir")

    def test_no_network_policies(self):
        self.docs = [d for d in self.docs if d.get("kind") != "NetworkPolicy"]
        self.assert_caught("no NetworkPolicy rendered")

    def test_pod_without_a_network_policy(self):
        self.docs = [d for d in self.docs if not (
            d.get("kind") == "NetworkPolicy"
            and d["metadata"]["labels"]["app.kubernetes.io/component"] == "record-keeper")]
        self.assert_caught("not covered by a NetworkPolicy")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    with open(sys.argv.pop(1), encoding="utf-8") as f:
        RENDERED = [d for d in yaml.safe_load_all(f) if isinstance(d, dict)]
    unittest.main(verbosity=1)
