"""axe-core for the browser test, from the npm registry without node.

The tarball is downloaded once with urllib, checked against the integrity npm publishes
(pinned below: ``npm view axe-core@4.14.1 dist.integrity``) on every use, and cached under
``$XDG_CACHE_HOME/bildungsmonitor`` (default ``~/.cache``). ``axe.min.js`` is read from the
tarball in memory and injected into each page with ``Runtime.evaluate``.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import tarfile
import urllib.request
from pathlib import Path

VERSION = "4.14.1"
TARBALL = f"https://registry.npmjs.org/axe-core/-/axe-core-{VERSION}.tgz"
INTEGRITY = (
    "sha512-"
    "FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
)
TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "best-practice"]
BLOCKING = ("serious", "critical")


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "bildungsmonitor"


def _verified(data: bytes) -> bool:
    algorithm, _, digest = INTEGRITY.partition("-")
    return base64.b64encode(hashlib.new(algorithm, data).digest()).decode() == digest


def source() -> str:
    """The text of ``axe.min.js`` (downloads and caches the tarball on first use)."""
    tarball = cache_dir() / f"axe-core-{VERSION}.tgz"
    data = tarball.read_bytes() if tarball.is_file() else b""
    if not _verified(data):
        with urllib.request.urlopen(TARBALL, timeout=60) as response:
            data = response.read()
        if not _verified(data):
            raise RuntimeError(f"{TARBALL} does not match the pinned integrity {INTEGRITY}")
        tarball.parent.mkdir(parents=True, exist_ok=True)
        partial = tarball.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(tarball)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        member = archive.extractfile("package/axe.min.js")
        if member is None:
            raise RuntimeError(f"{TARBALL} holds no package/axe.min.js")
        return member.read().decode("utf-8")


RUN = """axe.run(document, {
  runOnly: {type: 'tag', values: %s},
  resultTypes: ['violations'],
}).then(result => JSON.stringify(result.violations.map(v => ({
  id: v.id, impact: v.impact, help: v.help,
  targets: v.nodes.map(n => n.target.join(' ')),
}))))"""


def run_expression() -> str:
    """JavaScript that runs axe on the page and resolves to its violations as JSON."""
    return RUN % json.dumps(TAGS)


def blocking(violations: list[dict]) -> list[str]:
    """Readable lines for the serious and critical violations: rule, help, first targets."""
    lines = []
    for v in violations:
        if v["impact"] in BLOCKING:
            targets = ", ".join(v["targets"][:5]) + (" …" if len(v["targets"]) > 5 else "")
            lines.append(f"axe {v['impact']} {v['id']} ({v['help']}): {targets}")
    return lines
