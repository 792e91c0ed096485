#!/usr/bin/env python3
"""Runs clang-tidy-14 over every first-party translation unit of a build's compile_commands.json.

Usage: tools/tidy.py BUILD_DIR [JOBS]

Each source file is checked once (a file compiled into several targets appears several times in
the database), with the flags GCC understands and clang does not removed (and GCC's precompiled
header of the tests), and -Werror dropped so that clang's own warnings do not fail the check: GCC's
warnings are the build's business.

A clean result is remembered under ${XDG_CACHE_HOME:-~/.cache}/billing-host/tidy, keyed by the
checks (every .clang-tidy), clang-tidy's version, the compile command and the contents of the file and of every
project header it includes (from the build's depfile; without one, of every project header). A
second run re-checks only what changed, which keeps `./dev test` cheap; a finding is never cached.
run-clang-tidy-14 does the same fan-out, but reports one status for the whole run, and the cache
needs each file's.
"""
import concurrent.futures
import hashlib
import json
import os
import re
import shlex
import subprocess
import sys

TIDY = "clang-tidy-14"
GCC_ONLY_FLAGS = {"-fno-gnu-unique", "-Werror"}


def digest(*parts):
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else part.encode())
        h.update(b"\0")
    return h.hexdigest()


def file_digest(path, memo):
    if path not in memo:
        with open(path, "rb") as f:
            memo[path] = digest(f.read())
    return memo[path]


def without_gcc_pch(args):
    """The command without the test targets' precompiled header (tests/CMakeLists.txt): clang would
    look for GCC's cmake_pch.hxx.gch beside the header and fail on its format. Each file is then
    checked with the headers it includes itself."""
    kept, skip = [], False
    for i, a in enumerate(args):
        if skip:
            skip = False
        elif a == "-include" and i + 1 < len(args) and args[i + 1].endswith("cmake_pch.hxx"):
            skip = True
        elif a != "-Winvalid-pch":
            kept.append(a)
    return kept


def headers_of(entry, root, all_headers):
    """Project headers the translation unit includes, from the depfile the build wrote beside the object."""
    args = shlex.split(entry["command"])
    if "-o" in args:
        depfile = os.path.join(entry["directory"], args[args.index("-o") + 1] + ".d")
        if os.path.exists(depfile):
            with open(depfile) as f:
                text = f.read().replace("\\\n", " ")
            deps = [os.path.normpath(os.path.join(entry["directory"], d)) for d in text.split()[1:]]
            return sorted(d for d in deps if d.startswith(root + os.sep) and "/build/" not in d[len(root):])
    return all_headers


def main():
    build_dir = os.path.abspath(sys.argv[1])
    jobs = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    root = os.getcwd()
    with open(os.path.join(build_dir, "compile_commands.json")) as f:
        database = json.load(f)
    entries, seen = [], set()
    for entry in database:
        path = entry["file"]
        if path in seen or not path.startswith(root + os.sep) or "/build/" in path[len(root):]:
            continue
        seen.add(path)
        args = without_gcc_pch([a for a in shlex.split(entry["command"]) if a not in GCC_ONLY_FLAGS])
        entries.append(dict(entry, command=shlex.join(args)))
    lint_dir = os.path.join(root, "build", "lint")
    os.makedirs(lint_dir, exist_ok=True)
    with open(os.path.join(lint_dir, "compile_commands.json"), "w") as f:
        json.dump(entries, f)

    version = subprocess.run([TIDY, "--version"], capture_output=True, text=True, check=True).stdout
    configs = subprocess.run(["git", "ls-files", ".clang-tidy", "*/.clang-tidy"], capture_output=True, text=True,
                             check=True).stdout.split()
    config = b"".join(open(os.path.join(root, c), "rb").read() for c in sorted(configs))
    tracked = subprocess.run(["git", "ls-files", "*.hpp", "*.h"], capture_output=True, text=True, check=True)
    all_headers = sorted(os.path.join(root, p) for p in tracked.stdout.split())
    cache_dir = os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "billing-host", "tidy")
    os.makedirs(cache_dir, exist_ok=True)

    memo, todo = {}, []
    for entry in entries:
        command = entry["command"].replace(root, "<root>")
        inputs = [entry["file"]] + headers_of(entry, root, all_headers)
        key = digest(version, config, command,
                     *(os.path.relpath(p, root) + file_digest(p, memo) for p in inputs if os.path.exists(p)))
        if not os.path.exists(os.path.join(cache_dir, key)):
            todo.append((entry["file"], key))

    def check(item):
        path, key = item
        run = subprocess.run([TIDY, "-p", lint_dir, "--quiet", path], capture_output=True, text=True)
        if run.returncode == 0:
            open(os.path.join(cache_dir, key), "w").close()
        return path, run

    failed = 0
    print(f"tidy: {len(entries)} files, {len(entries) - len(todo)} unchanged since a clean check, "
          f"{len(todo)} to check", flush=True)
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        for path, run in pool.map(check, todo):
            if run.returncode != 0:
                failed += 1
                noise = re.compile(r"^(\d+ warnings? (and \d+ errors? )?generated|Suppressed \d+ warnings|"
                                   r"Use -header-filter|\d+ warnings? treated as errors)")
                print("\n".join(l for l in (run.stdout + run.stderr).splitlines() if not noise.match(l)), flush=True)
    print(f"tidy: {failed} of {len(todo)} files with findings")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
