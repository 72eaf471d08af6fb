"""The test suite reads nothing outside the repository: a bare clone runs it whole."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from support import factories
from support.factories import CONFORMANCE, ROOT

TESTS = ROOT / "tests"
# A string naming the team's shared/ folder (../shared, /work/shared, shared/data, $DIGEST_SHARED)
# or an absolute path under /work: the ways the suite used to reach data outside the repository.
OUTSIDE = re.compile(r"(?:^|[\\/])shared(?:[\\/]|$)|^/work(?:/|$)|DIGEST_SHARED")


def docstrings(tree: ast.AST) -> set[int]:
    """The ids of the docstring nodes: they describe paths, they never open them."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def parents(node: ast.expr) -> tuple[int, ast.expr]:
    """How many `.parent` steps end this expression, and what they start from."""
    count = 0
    while isinstance(node, ast.Attribute) and node.attr == "parent":
        count, node = count + 1, node.value
    return count, node


def climbs_out(node: ast.Attribute) -> bool:
    """`ROOT.parent…`, or three `.parent` steps from a tests/ file's `__file__` (above ROOT)."""
    if node.attr != "parent":
        return False
    count, start = parents(node)
    if isinstance(start, ast.Name) and start.id == "ROOT":
        return count >= 1
    names = {n.id for n in ast.walk(start) if isinstance(n, ast.Name)}
    return "__file__" in names and count >= 3


def outside_references(source: str) -> list[str]:
    """Each string or path expression in `source` that points outside the repository."""
    tree = ast.parse(source)
    skip = docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            if OUTSIDE.search(node.value):
                found.append(f"line {node.lineno}: {node.value!r}")
        elif isinstance(node, ast.Attribute) and id(node) not in skip and climbs_out(node):
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
            skip.update(id(inner) for inner in ast.walk(node))  # report a chain once, outermost
    return found


# Each way the suite could reach outside again, and paths that stay inside: the scan must tell them
# apart, or a clean scan of tests/ proves nothing.
REACHING_OUTSIDE = [
    'SHARED = Path("/work/shared")',
    'candidates = [os.environ.get("DIGEST_SHARED"), ROOT.parent / "shared"]',
    'rows = (ROOT.parent / "shared" / "data" / "cnn_highlights.dev.jsonl").read_text()',
    'path = Path("../shared/data/bbc_titles.dev.jsonl")',
    'load_lexicons(Path(__file__).resolve().parent.parent.parent / "shared" / "conformance")',
    "peer = Path(__file__).parent.parent.parent / 'peer_stack.py'",
    "sibling = ROOT.parent / 'other-checkout'",
    'checker = "/work/shared/tools/check_batch.py"',
    'data = Path("/work/data")',
]
STAYING_INSIDE = [
    'DATA = ROOT / "tests" / "data"',
    'GOLDEN = Path(__file__).parent / "golden"',
    "ROOT = Path(__file__).resolve().parent.parent",
    '"""Reads nothing from ../shared/ (a docstring only describes)."""',
    'text = "a shared secret, shared by two"',
]


def test_no_test_file_names_a_path_outside_the_repository() -> None:
    assert [code for code in REACHING_OUTSIDE if not outside_references(code)] == []
    assert [code for code in STAYING_INSIDE if outside_references(code)] == []
    this = Path(__file__).resolve()  # names those paths to look for them; its own reads are below
    found = {
        str(path.relative_to(ROOT)): refs
        for path in sorted(TESTS.rglob("*.py"))
        if path.resolve() != this and (refs := outside_references(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_every_path_in_factories_is_inside_the_repository_and_exists() -> None:
    paths = {name: value for name, value in vars(factories).items() if isinstance(value, Path)}
    assert {"DATA", "CONFORMANCE", "BBC_SEEDS", "NEWS", "CHECK_BATCH"} <= set(paths)
    for name, path in paths.items():
        assert path.resolve().is_relative_to(ROOT), (name, path)
        assert path.exists(), (name, path)


# Collecting the suite imports every test module and builds every parametrized case, which is where
# the data files are read; this records every file opened and folder listed while it does.
COLLECT = """
import json, os, sys, pytest
seen = []
def hook(event, args):
    if event in ("open", "os.listdir", "os.scandir") and args:
        if isinstance(args[0], (str, bytes, os.PathLike)):
            seen.append(os.fsdecode(args[0]))
sys.addaudithook(hook)
code = pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", sys.argv[1]])
print("\\nOPENED " + json.dumps({"code": int(code), "paths": seen}))
"""


def allowed(path: Path) -> bool:
    """In the repository, the interpreter's installation or the system's own folders."""
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    system = ["/usr", "/lib", "/lib64", "/etc", "/proc", "/sys", "/dev"]
    roots = [ROOT, *(Path(p).resolve() for p in prefixes), *map(Path, system)]
    if any(path.is_relative_to(root) for root in roots):
        return True
    # tempfile's probe of the temp folder: one file created in it and removed at once.
    temp = Path(tempfile.gettempdir()).resolve()
    return path == temp or (path.parent == temp and not path.exists())


def test_collecting_the_suite_opens_nothing_outside_the_repository() -> None:
    result = subprocess.run(
        [sys.executable, "-c", COLLECT, str(TESTS)],
        cwd=ROOT,
        # One plain collection in this process: CI's options (PYTEST_ADDOPTS: -n 2) are not its.
        env={key: value for key, value in os.environ.items() if key != "PYTEST_ADDOPTS"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(result.stdout.rsplit("\nOPENED ", 1)[1])
    assert report["code"] == 0, result.stdout[-2000:]
    opened = {(ROOT / path).resolve() for path in report["paths"]}
    assert sorted(str(path) for path in opened if not allowed(path)) == []
    assert CONFORMANCE / "bluesky" / "post.json" in opened, "the audit hook saw no data read"
