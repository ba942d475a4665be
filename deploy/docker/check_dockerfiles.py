#!/usr/bin/env python3
"""Checks the frontdesk Dockerfiles against the rules in deploy/docker/README.md.

Usage: check_dockerfiles.py DOCKER_DIR INSTALL_DEPS_SH TOP_CMAKELISTS

For each image (the four services and the frontdesk tool):
  - a multi-stage build: a build stage that runs the CMake/Ninja build of the
    image's binary and grpc_health_probe, with packages from the build list of
    deploy/local/install-deps.sh, and copies every folder the top-level
    CMakeLists.txt adds (so the configure step finds them), then a runtime
    stage;
  - every FROM pinned: a version tag (not `latest`) or a digest;
  - the final stage runs as a numeric, non-root USER;
  - no compiler, build tool or -dev package installed in the final stage;
  - no ENV or ARG that looks like a secret, and no COPY of run/ or key files;
  - services: a HEALTHCHECK that runs grpc_health_probe on the health port
    (--health_port) the ENTRYPOINT sets, the probe copied into the final stage, a VOLUME that
    holds the journal (the only place a service writes); the tool: HEALTHCHECK
    NONE.
Prints one line per broken rule and exits 1 if there is any. Standard
library only.
"""
import json
import re
import shlex
import sys
from pathlib import Path

SERVICES = {"answer": 7101, "rules-check": 7102, "handoff-prep": 7103,
            "record-keeper": 7104}
TOOL = "frontdesk"
PROBE = "grpc_health_probe"
SECRET_NAME = re.compile(r"KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL", re.I)
SECRET_VALUE = re.compile(
    r"-----BEGIN|\b[0-9a-fA-F]{64}\b|(password|secret|token)\s*=", re.I)
BUILD_ONLY = re.compile(
    r"^(build-essential|gcc.*|g\+\+.*|clang.*|cmake|ninja-build|make|"
    r"pkg-config|protobuf-compiler.*|ccache|.*-dev)$")
# Packages a stage installs: the words after `apt-get install`, up to the
# next shell operator.
INSTALL = re.compile(r"apt-get\s+install\s+(.*?)(?:&&|;|\|\||$)", re.S)


def instructions(text):
    """(line number, KEYWORD, arguments) per instruction; continuation lines
    joined, comments and blank lines dropped."""
    out = []
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        pending += line
        keyword, _, args = pending.partition(" ")
        out.append((start, keyword.upper(), args.strip()))
        pending = ""
    return out


def stages(instrs):
    """Lists of instructions, one per FROM."""
    result = []
    for ins in instrs:
        if ins[1] == "FROM":
            result.append([])
        if not result:
            continue
        result[-1].append(ins)
    return result


def installed_packages(stage):
    packages = []
    for _, keyword, args in stage:
        if keyword != "RUN":
            continue
        for match in INSTALL.finditer(args):
            packages += [w for w in match.group(1).split()
                         if not w.startswith("-")]
    return packages


def exec_form(args):
    args = args.strip()
    if not args.startswith("["):
        return None
    try:
        return json.loads(args)
    except ValueError:
        return None


def install_deps_packages(path):
    text = Path(path).read_text()
    match = re.search(r"packages=\((.*?)\n\)", text, re.S)
    if not match:
        return set()
    words = []
    for line in match.group(1).splitlines():
        words += line.split("#", 1)[0].split()
    return set(words)


def cmake_folders(path):
    """Folders the top-level CMakeLists.txt needs unconditionally: every
    add_subdirectory() and include() outside an if() block."""
    folders, depth = set(), 0
    for line in Path(path).read_text().splitlines():
        code = line.split("#", 1)[0].strip()
        if re.match(r"if\s*\(", code):
            depth += 1
        elif re.match(r"endif\s*\(", code):
            depth -= 1
        elif depth == 0:
            m = re.match(r"(add_subdirectory|include)\s*\(\s*([^\s)]+)", code)
            if m and (m.group(1) == "add_subdirectory" or "/" in m.group(2)):
                folder = m.group(2) if m.group(1) == "add_subdirectory" \
                    else m.group(2).rsplit("/", 1)[0]
                folders.add(folder.rstrip("/"))
    return folders


def check(path, build_packages, folders):
    name = path.name[: -len(".Dockerfile")]
    errors = []

    def fail(line, message):
        errors.append(f"{path}:{line}: {message}")

    instrs = instructions(path.read_text())
    all_stages = stages(instrs)
    if len(all_stages) < 2:
        fail(1, "not a multi-stage build (a build stage, then the runtime)")
        return errors
    earlier_stages = set()
    for stage in all_stages:
        line, _, args = stage[0]
        words = [w for w in args.split() if not w.startswith("--")]
        image = words[0] if words else ""
        named = len(words) >= 3 and words[1].upper() == "AS"
        if image.lower() not in earlier_stages:
            if "@sha256:" not in image:
                repo, _, tag = image.rpartition(":")
                if not repo or "/" in tag:
                    fail(line, f"FROM {image}: no tag; pin a version or a digest")
                elif tag == "latest" or not re.search(r"\d", tag):
                    fail(line, f"FROM {image}: '{tag}' is not a pinned version")
        if named:
            earlier_stages.add(words[2].lower())

    build, final = all_stages[0], all_stages[-1]
    runs = " ".join(a for _, k, a in build if k == "RUN")
    wanted = TOOL if name == TOOL else name
    if not re.search(r"cmake\s+-S\s+\S+\s+-B\s+\S+\s+-G\s+Ninja", runs):
        fail(build[0][0], "the build stage does not configure with CMake and Ninja")
    target = re.search(r"cmake\s+--build\s+\S+\s+--target\s+([^&;]*)", runs)
    targets = target.group(1).split() if target else []
    for t in (wanted, PROBE):
        if t not in targets:
            fail(build[0][0], f"the build stage does not build the target {t}")
    copied = []
    for _, keyword, args in build:
        if keyword == "COPY" and "--from=" not in args:
            copied += [w.rstrip("/") for w in args.split() if not w.startswith("--")][:-1]
    for folder in sorted(folders):
        if not any(folder == c or folder.startswith(c + "/") for c in copied):
            fail(build[0][0], f"the build stage does not copy {folder}/, which CMakeLists.txt adds")
    for p in installed_packages(build):
        if p not in build_packages:
            fail(build[0][0], f"build package {p} is not in deploy/local/install-deps.sh")

    for p in installed_packages(final):
        if BUILD_ONLY.match(p):
            fail(final[0][0], f"the runtime stage installs {p}, a build-only package")

    users = [(l, a) for l, k, a in final if k == "USER"]
    if not users:
        fail(final[0][0], "the final stage sets no USER")
    else:
        line, user = users[-1]
        uid, _, gid = user.partition(":")
        if not uid.isdigit():
            fail(line, f"USER {user}: give a numeric uid, so runAsNonRoot can verify it")
        elif int(uid) == 0:
            fail(line, "USER 0 is root")
        if gid and not gid.isdigit():
            fail(line, f"USER {user}: give a numeric gid")

    for stage in all_stages:
        for line, keyword, args in stage:
            if keyword in ("ENV", "ARG", "LABEL"):
                for item in shlex.split(args):
                    key, eq, value = item.partition("=")
                    if keyword == "ARG" and not eq:
                        value = ""
                    if SECRET_NAME.search(key) and not value.startswith("/") and keyword != "LABEL":
                        fail(line, f"{keyword} {key}: looks like a secret; mount it at run time")
                    if SECRET_VALUE.search(value):
                        fail(line, f"{keyword} {key}: its value looks like a secret")
            if keyword in ("COPY", "ADD"):
                sources = [w for w in args.split() if not w.startswith("--")][:-1]
                for src in sources:
                    if (src.rstrip("/") in (".", "run") or src.startswith("run/")
                            or re.search(r"keyring|\.key$|\.pem$|secret", src)) \
                            and "--from=" not in args:
                        fail(line, f"{keyword} {src}: copies more than sources, or a key")

    healthchecks = [(l, a) for l, k, a in final if k == "HEALTHCHECK"]
    entry = [a for _, k, a in final if k == "ENTRYPOINT"]
    entry_args = exec_form(entry[-1]) if entry else None
    if entry and entry_args is None:
        fail(final[0][0], "ENTRYPOINT is not in exec form (a JSON array)")
    if not entry_args or entry_args[0] != f"/usr/local/bin/{wanted}":
        fail(final[0][0], f"ENTRYPOINT does not run /usr/local/bin/{wanted}")
    copies = " ".join(a for _, k, a in final if k == "COPY")

    if name == TOOL:
        if not healthchecks or healthchecks[-1][1].upper() != "NONE":
            fail(final[0][0], "the tool image should say HEALTHCHECK NONE")
        return errors

    port = SERVICES.get(name)
    if port is None:
        fail(1, f"unknown image {name}")
        return errors
    # The gRPC port takes only mTLS clients; the probe asks the plaintext,
    # health-only port the ENTRYPOINT sets.
    health = next((a.split("=", 1)[1] for a in (entry_args or [])
                   if a.startswith("--health_port=")), None)
    if entry_args and health is None:
        fail(final[0][0], "ENTRYPOINT does not set --health_port")
    if not healthchecks:
        fail(final[0][0], "no HEALTHCHECK")
    else:
        line, args = healthchecks[-1]
        cmd = args.partition("CMD")[2].strip()
        argv = exec_form(cmd)
        if argv is None or not argv or not argv[0].endswith("/" + PROBE):
            fail(line, f"the HEALTHCHECK does not run {PROBE} in exec form")
        elif argv[-1] != f"127.0.0.1:{health}":
            fail(line, f"the HEALTHCHECK asks {argv[-1]}, not 127.0.0.1:{health}")
        if f"/usr/local/bin/{PROBE}" not in copies:
            fail(line, f"{PROBE} is not copied into the final stage")
    if entry_args and f"--grpc_port={port}" not in entry_args:
        fail(final[0][0], f"ENTRYPOINT does not set --grpc_port={port}")

    volumes = []
    for _, k, a in final:
        if k == "VOLUME":
            volumes += exec_form(a) or a.split()
    env = {}
    for _, k, a in final:
        if k == "ENV":
            for item in shlex.split(a):
                key, _, value = item.partition("=")
                env[key] = value
    journal = env.get("FRONTDESK_JOURNAL_DIR", "")
    if not journal:
        fail(final[0][0], "FRONTDESK_JOURNAL_DIR is not set")
    elif not any(journal == v or journal.startswith(v.rstrip("/") + "/") for v in volumes):
        fail(final[0][0], f"the journal {journal} is not on a declared VOLUME")
    return errors


def main(argv):
    if len(argv) != 4:
        print(__doc__.splitlines()[2], file=sys.stderr)
        return 2
    docker_dir, install_deps = Path(argv[1]), argv[2]
    folders = cmake_folders(argv[3])
    build_packages = install_deps_packages(install_deps)
    if not build_packages:
        print(f"{install_deps}: no packages=( ... ) list found", file=sys.stderr)
        return 1
    errors = []
    names = list(SERVICES) + [TOOL]
    for name in names:
        path = docker_dir / f"{name}.Dockerfile"
        if not path.is_file():
            errors.append(f"{path}: missing")
            continue
        errors += check(path, build_packages, folders)
    for e in errors:
        print(e)
    print(f"check_dockerfiles: {len(names)} images, {len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
