#!/usr/bin/env python3
"""Trunk post-build hook: move Trunk's inline bootstrap <script> into a same-origin file.

The page's Content-Security-Policy allows scripts from its own origin only ('self', no 'unsafe-inline'),
so the inline module script Trunk writes into index.html would be blocked. This hook writes each inline
script of the staged index.html to boot-<sha256 prefix>.js and replaces it with a <script src=...>.
Runs with TRUNK_STAGING_DIR set by Trunk; fails loudly if the page has no script left to boot the app.
"""
import hashlib
import os
import pathlib
import re
import sys

staging = pathlib.Path(os.environ["TRUNK_STAGING_DIR"])
index = staging / "index.html"
html = index.read_text(encoding="utf-8")
inline = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S)


def externalize(match: re.Match) -> str:
    attrs, body = match.group("attrs"), match.group("body")
    if "src=" in attrs or not body.strip():
        return match.group(0)
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]
    name = f"boot-{digest}.js"
    (staging / name).write_text(body.strip() + "\n", encoding="utf-8")
    return f'<script{attrs} src="./{name}"></script>'


rewritten = inline.sub(externalize, html)
if "boot-" not in rewritten:
    sys.exit("externalize_boot_script: found no inline bootstrap script in index.html")
index.write_text(rewritten, encoding="utf-8")
