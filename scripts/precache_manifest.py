#!/usr/bin/env python3
"""Trunk post-build hook: write the service worker's precache manifest into the staged sw.js.

Runs after scripts/externalize_boot_script.py (same hook command in Trunk.toml: Trunk runs the hooks of a
stage concurrently), with TRUNK_STAGING_DIR set by Trunk. It lists the files of the staged build:

- immutable: shell files whose names carry a content hash (Trunk's `name-<12–16 hex>…`, `boot-<16 hex>.js`)
- fresh:     the other shell files (index.html, the engine worker's files, the demo data)
- catalog:   every file under catalog/ (the search files and the census values by ZIP under
             catalog/census/), with a hash of their contents

and puts it between the PRECACHE_MANIFEST markers in sw.js with it. The manifest's version is
a hash of every shell file's name and contents, so each build that changes anything changes sw.js and
browsers install the new worker, whose activation deletes the old caches. Fails loudly when sw.js or its
markers are missing, or when a file the page needs (index.html, a .wasm) would not be precached.

Usage outside Trunk: TRUNK_STAGING_DIR=dist python3 scripts/precache_manifest.py  (rewrites dist/sw.js).
"""
import hashlib
import json
import os
import pathlib
import re
import sys

staging = pathlib.Path(os.environ["TRUNK_STAGING_DIR"])
worker = staging / "sw.js"
# Not part of the offline app: the worker itself, and HTML pages other than the app (the embed demo host).
EXCLUDED = {"sw.js"}
CATALOG_DIR = "catalog"
# Trunk writes its 64-bit hash in hex without leading zeros: 16 digits, 15 one time in 16, fewer rarely.
HASHED = re.compile(r"(^|/)([\w.]+-[0-9a-f]{12,16}[\w.]*|boot-[0-9a-f]{16}\.js)$")
MARKERS = re.compile(r"/\* PRECACHE_MANIFEST \*/.*?/\* END_PRECACHE_MANIFEST \*/", re.S)


def digest(paths: list[str]) -> str:
    """Hash of the files' relative names and contents, in sorted order."""
    hasher = hashlib.sha256()
    for path in sorted(paths):
        hasher.update(path.encode("utf-8") + b"\0")
        hasher.update(hashlib.sha256((staging / path).read_bytes()).digest())
    return hasher.hexdigest()[:16]


def files() -> list[str]:
    """Every staged file, as a '/'-separated path relative to the staging directory (no hidden ones)."""
    paths = (p.relative_to(staging) for p in staging.rglob("*") if p.is_file())
    return sorted(p.as_posix() for p in paths if not any(part.startswith(".") for part in p.parts))


def main() -> None:
    if not worker.is_file():
        sys.exit(f"precache_manifest: {worker} is missing (is public/sw.js copied by index.html?)")
    shell, catalog = [], []
    for path in files():
        if path in EXCLUDED or (path.endswith(".html") and path != "index.html"):
            continue
        (catalog if path.startswith(CATALOG_DIR + "/") else shell).append(path)
    for needed in ["index.html"]:
        if needed not in shell:
            sys.exit(f"precache_manifest: {needed} is not in the build")
    if not any(path.endswith(".wasm") for path in shell):
        sys.exit("precache_manifest: the build has no .wasm file to precache")
    manifest = {
        "version": digest(shell),
        "immutable": [path for path in shell if HASHED.search(path)],
        "fresh": [path for path in shell if not HASHED.search(path)],
        "catalog": {"version": digest(catalog), "files": catalog},
    }
    source = worker.read_text(encoding="utf-8")
    if len(MARKERS.findall(source)) != 1:
        sys.exit(f"precache_manifest: {worker} must hold exactly one PRECACHE_MANIFEST marker pair")
    text = json.dumps(manifest, indent=2)
    replacement = f"/* PRECACHE_MANIFEST */ {text} /* END_PRECACHE_MANIFEST */"
    worker.write_text(MARKERS.sub(lambda _: replacement, source), encoding="utf-8")
    print(
        f"precache_manifest: version {manifest['version']}, {len(manifest['immutable'])} immutable and "
        f"{len(manifest['fresh'])} fresh shell files, {len(catalog)} catalog files"
    )


main()
