#!/usr/bin/env python3
"""Runs check_dockerfiles.py on the real Dockerfiles (they must pass) and on
broken copies of them (each must be caught, with the rule it breaks).

Usage: check_dockerfiles_test.py (no arguments; paths are found from this file)
"""
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHECKER = HERE / "check_dockerfiles.py"
DOCKER_DIR = HERE
INSTALL_DEPS = HERE.parent / "local" / "install-deps.sh"
TOP_CMAKELISTS = HERE.parent.parent / "CMakeLists.txt"


def run_checker(docker_dir):
    result = subprocess.run(
        [sys.executable, str(CHECKER), str(docker_dir), str(INSTALL_DEPS),
         str(TOP_CMAKELISTS)],
        capture_output=True, text=True, check=False)
    return result.returncode, result.stdout + result.stderr


class CheckDockerfilesTest(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="dockerfiles-"))
        for f in DOCKER_DIR.glob("*.Dockerfile"):
            shutil.copy(f, self.tmp / f.name)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def edit(self, name, old, new):
        path = self.tmp / f"{name}.Dockerfile"
        text = path.read_text()
        self.assertIn(old, text, f"{name}: the test's anchor text moved")
        path.write_text(text.replace(old, new))

    def assert_caught(self, message):
        code, out = run_checker(self.tmp)
        self.assertEqual(code, 1, out)
        self.assertIn(message, out)

    def test_the_real_dockerfiles_pass(self):
        code, out = run_checker(DOCKER_DIR)
        self.assertEqual(code, 0, out)
        self.assertIn("5 images, 0 problems", out)

    def test_latest_tag(self):
        self.edit("answer", "FROM debian:12.11-slim\n", "FROM debian:latest\n")
        self.assert_caught("'latest' is not a pinned version")

    def test_untagged_base(self):
        self.edit("rules-check", "FROM debian:12.11-slim AS build",
                  "FROM debian AS build")
        self.assert_caught("no tag")

    def test_digest_is_pinned(self):
        self.edit("answer", "FROM debian:12.11-slim\n",
                  "FROM debian:12.11-slim@sha256:" + "a" * 64 + "\n")
        code, out = run_checker(self.tmp)
        self.assertEqual(code, 0, out)

    def test_root_user(self):
        self.edit("handoff-prep", "USER 10001:10001", "USER 0")
        self.assert_caught("USER 0 is root")

    def test_named_user(self):
        self.edit("record-keeper", "USER 10001:10001", "USER frontdesk")
        self.assert_caught("give a numeric uid")

    def test_no_user(self):
        self.edit("frontdesk", "USER 10001:10001\n", "")
        self.assert_caught("sets no USER")

    def test_secret_env(self):
        self.edit("answer", "ENV FRONTDESK_HOST=0.0.0.0",
                  "ENV KAFKA_SASL_PASSWORD=hunter2 FRONTDESK_HOST=0.0.0.0")
        self.assert_caught("KAFKA_SASL_PASSWORD: looks like a secret")

    def test_secret_arg(self):
        self.edit("rules-check", "WORKDIR /src", "ARG API_TOKEN\nWORKDIR /src")
        self.assert_caught("API_TOKEN: looks like a secret")

    def test_key_material_in_a_value(self):
        self.edit("answer", "ENV FRONTDESK_HOST=0.0.0.0",
                  "ENV TENANT=sunrise-" + "ab" * 32 + " FRONTDESK_HOST=0.0.0.0")
        self.assert_caught("its value looks like a secret")

    def test_copy_of_the_run_folder(self):
        self.edit("answer", "COPY libs libs", "COPY libs libs\nCOPY run/keys/keyring /etc/")
        self.assert_caught("copies more than sources, or a key")

    def test_copy_of_everything(self):
        self.edit("answer", "COPY libs libs", "COPY . .")
        self.assert_caught("copies more than sources, or a key")

    def test_compiler_in_the_runtime(self):
        self.edit("rules-check", "tzdata ca-certificates", "tzdata ca-certificates g++")
        self.assert_caught("installs g++, a build-only package")

    def test_dev_package_in_the_runtime(self):
        self.edit("answer", "tzdata ca-certificates", "tzdata ca-certificates libssl-dev")
        self.assert_caught("installs libssl-dev, a build-only package")

    def test_no_healthcheck(self):
        self.edit("answer", "HEALTHCHECK --interval", "# HEALTHCHECK --interval")
        path = self.tmp / "answer.Dockerfile"
        path.write_text(path.read_text().replace(
            '  CMD ["/usr/local/bin/grpc_health_probe"', '#  CMD ["/usr/local/bin/grpc_health_probe"'))
        self.assert_caught("no HEALTHCHECK")

    def test_healthcheck_without_the_probe(self):
        self.edit("record-keeper", 'CMD ["/usr/local/bin/grpc_health_probe"',
                  'CMD ["/bin/true"')
        self.assert_caught("does not run grpc_health_probe")

    def test_healthcheck_on_the_wrong_port(self):
        # The gRPC port takes only mTLS clients; the probe has no certificate.
        self.edit("handoff-prep", '"127.0.0.1:7113"]', '"127.0.0.1:7103"]')
        self.assert_caught("not 127.0.0.1:7113")

    def test_entrypoint_without_a_health_port(self):
        self.edit("answer", '"--health_port=7111", ', '')
        self.assert_caught("ENTRYPOINT does not set --health_port")

    def test_single_stage(self):
        path = self.tmp / "answer.Dockerfile"
        text = path.read_text()
        path.write_text(text[text.index("# --- runtime"):])
        self.assert_caught("not a multi-stage build")

    def test_build_package_not_in_install_deps(self):
        self.edit("answer", "build-essential cmake", "build-essential cmake golang")
        self.assert_caught("build package golang is not in deploy/local/install-deps.sh")

    def test_journal_off_the_volume(self):
        self.edit("answer", 'VOLUME ["/var/lib/frontdesk"]', 'VOLUME ["/data"]')
        self.assert_caught("is not on a declared VOLUME")

    def test_a_source_folder_not_copied(self):
        self.edit("rules-check", "COPY bench bench\n", "")
        self.assert_caught("does not copy bench/, which CMakeLists.txt adds")

    def test_missing_image(self):
        (self.tmp / "rules-check.Dockerfile").unlink()
        self.assert_caught("rules-check.Dockerfile: missing")


if __name__ == "__main__":
    unittest.main(verbosity=1)
