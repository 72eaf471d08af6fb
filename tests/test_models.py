"""The models that cross stages: one model of a rejected seed, from the pipeline to the manifest."""

from __future__ import annotations

import json

from support.factories import make_digest

from digest.models import RejectedSeed, Rendered, RenderedFile
from digest.outbox.manifest import Manifest, build_manifest, manifest_bytes, manifest_schema


def _rendered(*rejected: RejectedSeed) -> Rendered:
    digest = make_digest(channels=("email",)).model_copy(update={"rejected": rejected})
    file = RenderedFile(path="email/digest.txt", content=b"hello\n", media_type="text/plain")
    return Rendered(digest=digest, files=(file,))


def test_the_digest_and_the_manifest_share_one_rejected_seed_model() -> None:
    assert Manifest.model_fields["rejected"].annotation == tuple[RejectedSeed, ...]
    rejected = RejectedSeed(file="bad.txt", line=3, reason="no title line")
    manifest = build_manifest(_rendered(rejected), "h")
    assert manifest.rejected == (rejected,)
    assert manifest.rejected[0] is rejected  # carried as it is, not copied field by field


def test_a_rejected_seed_is_written_to_the_manifest_as_file_line_reason() -> None:
    rejected = RejectedSeed(file="ünïcode.md", line=12, reason="front-matter key 'date' is late")
    data = manifest_bytes(build_manifest(_rendered(rejected), "h"))
    assert json.loads(data)["rejected"] == [
        {"file": "ünïcode.md", "line": 12, "reason": "front-matter key 'date' is late"}
    ]
    assert '"file": "ünïcode.md",\n      "line": 12,\n      "reason"' in data.decode()
    assert Manifest.model_validate_json(data).rejected == (rejected,)


def test_the_manifest_schema_still_names_it_rejected_seed_without_a_description() -> None:
    """Consumers generate types from the schema: its name and shape are theirs, not ours."""
    schema = json.loads(manifest_schema())
    assert schema["properties"]["rejected"]["items"] == {"$ref": "#/$defs/RejectedSeed"}
    definition = schema["$defs"]["RejectedSeed"]
    assert sorted(definition["properties"]) == ["file", "line", "reason"]
    assert "description" not in definition
