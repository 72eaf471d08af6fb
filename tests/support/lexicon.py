"""A validator for the part of atproto Lexicon that Bluesky post records use: a test-only oracle.

Objects (required, nullable, properties), strings (maxLength in UTF-8 bytes, maxGraphemes,
formats), integers, booleans, arrays, refs and unions across documents, records and procedure
inputs. Blobs, bytes and cid-links are accepted as they are. Each problem names its JSON path.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from digest.platforms.richtext import JS_SPACE
from digest.text import grapheme_count

_FORMATS: dict[str, Callable[[str], bool]] = {
    "datetime": lambda v: (
        bool(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", v))
        and _parses(v)
    ),
    # atproto's own check, whose \s is JavaScript's
    "uri": lambda v: bool(re.fullmatch(rf"[A-Za-z0-9_]+:(?://)?[^{JS_SPACE}/][^{JS_SPACE}]*", v)),
    "at-uri": lambda v: bool(re.fullmatch(r"at://\S+", v)),
    "language": lambda v: bool(re.fullmatch(r"(?:[a-zA-Z]{2,3}|i)(?:-[a-zA-Z0-9]{1,8})*", v)),
    "did": lambda v: bool(re.fullmatch(r"did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]", v)),
    "handle": lambda v: bool(
        re.fullmatch(r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]\S*", v)
    ),
    "nsid": lambda v: bool(re.fullmatch(r"[a-zA-Z][a-zA-Z0-9-]*(?:\.[a-zA-Z0-9-]+){2,}", v)),
    "cid": lambda v: bool(re.fullmatch(r"[a-zA-Z0-9+=]{8,}", v)),
    "record-key": lambda v: bool(re.fullmatch(r"[a-zA-Z0-9._:~-]{1,512}", v)),
}
_FORMATS["at-identifier"] = lambda v: _FORMATS["did"](v) or _FORMATS["handle"](v)


def _parses(value: str) -> bool:
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def load_lexicons(folder: Path) -> Lexicons:
    """Every `*.json` Lexicon document in `folder`."""
    docs = (json.loads(p.read_text("utf-8")) for p in sorted(Path(folder).glob("*.json")))
    return Lexicons(d for d in docs if isinstance(d, dict) and "lexicon" in d)


class Lexicons:
    """A set of Lexicon documents, by id, that values are validated against."""

    def __init__(self, docs: Iterable[dict[str, Any]]) -> None:
        self.docs = {doc["id"]: doc for doc in docs}

    def validate_record(self, value: Any, strict: bool = False) -> list[str]:
        """Problems of a record (its `$type` names the collection); [] when valid."""
        if not isinstance(value, dict) or not isinstance(value.get("$type"), str):
            return ["$: a record must be an object with a $type"]
        return self._check(value, {"type": "ref", "ref": value["$type"]}, "", "$", strict)

    def validate_input(self, nsid: str, value: Any, strict: bool = False) -> list[str]:
        """Problems of a procedure's input body, e.g. `com.atproto.repo.createRecord`."""
        schema = self._definition(nsid, "")["input"]["schema"]
        return self._check(value, schema, nsid, "$", strict)

    def _definition(self, ref: str, here: str) -> dict[str, Any]:
        nsid, _, name = ref.partition("#")
        doc = self.docs.get(nsid or here)
        if doc is None or (name or "main") not in doc["defs"]:
            raise KeyError(ref)
        definition: dict[str, Any] = doc["defs"][name or "main"]
        return definition

    def _check(
        self, value: Any, schema: dict[str, Any], here: str, at: str, strict: bool
    ) -> list[str]:
        kind = schema["type"]
        if kind == "ref":
            ref = schema["ref"]
            nsid = ref.partition("#")[0] or here
            try:
                return self._check(value, self._definition(ref, here), nsid, at, strict)
            except KeyError:
                return [f"{at}: refers to {ref}, which no loaded lexicon defines"]
        if kind == "record":
            if not isinstance(value, dict) or value.get("$type") != here:
                return [f"{at}.$type: must be {here!r}"]
            return self._check(value, schema["record"], here, at, strict)
        if kind == "union":
            return self._union(value, schema, here, at, strict)
        if kind == "object":
            return self._object(value, schema, here, at, strict)
        if kind == "array":
            return self._array(value, schema, here, at, strict)
        if kind == "string":
            return _string(value, schema, at)
        if kind == "integer":
            ok = isinstance(value, int) and not isinstance(value, bool)
            if not ok:
                return [f"{at}: must be an integer"]
            low, high = schema.get("minimum"), schema.get("maximum")
            if (low is not None and value < low) or (high is not None and value > high):
                return [f"{at}: {value} is outside {low}..{high}"]
            return []
        if kind == "boolean":
            return [] if isinstance(value, bool) else [f"{at}: must be a boolean"]
        if kind == "unknown":
            return [] if isinstance(value, dict) else [f"{at}: must be an object"]
        return []  # blob, bytes, cid-link: not used by the records this project writes

    def _union(
        self, value: Any, schema: dict[str, Any], here: str, at: str, strict: bool
    ) -> list[str]:
        kind = value.get("$type") if isinstance(value, dict) else None
        if not isinstance(kind, str):
            return [f"{at}: a union member must be an object with a $type"]
        full = [f"{here}{r}" if r.startswith("#") else r for r in schema["refs"]]
        wanted = kind if "#" in kind else f"{kind}#main"
        for ref in full:
            if (ref if "#" in ref else f"{ref}#main") == wanted:
                return self._check(value, {"type": "ref", "ref": ref}, here, at, strict)
        return [f"{at}.$type: {kind!r} is not one of {', '.join(schema['refs'])}"]

    def _object(
        self, value: Any, schema: dict[str, Any], here: str, at: str, strict: bool
    ) -> list[str]:
        if not isinstance(value, dict):
            return [f"{at}: must be an object"]
        properties = schema.get("properties", {})
        nullable = set(schema.get("nullable", ()))
        problems = [
            f"{at}.{key}: required" for key in schema.get("required", ()) if key not in value
        ]
        for key, item in value.items():
            if key == "$type":
                continue
            if key not in properties:
                problems += [f"{at}.{key}: not in the lexicon"] if strict else []
            elif item is None and key not in nullable:
                problems.append(f"{at}.{key}: may not be null")
            elif item is not None:
                problems += self._check(item, properties[key], here, f"{at}.{key}", strict)
        return problems

    def _array(
        self, value: Any, schema: dict[str, Any], here: str, at: str, strict: bool
    ) -> list[str]:
        if not isinstance(value, list):
            return [f"{at}: must be an array"]
        problems = _bounds(len(value), schema, "minLength", "maxLength", at, "items")
        for number, item in enumerate(value):
            problems += self._check(item, schema["items"], here, f"{at}[{number}]", strict)
        return problems


def _bounds(
    size: int, schema: dict[str, Any], low: str, high: str, at: str, unit: str
) -> list[str]:
    if low in schema and size < schema[low]:
        return [f"{at}: {size} {unit}, fewer than {low} {schema[low]}"]
    if high in schema and size > schema[high]:
        return [f"{at}: {size} {unit}, more than {high} {schema[high]}"]
    return []


def _string(value: Any, schema: dict[str, Any], at: str) -> list[str]:
    if not isinstance(value, str):
        return [f"{at}: must be a string"]
    size = len(value.encode("utf-8"))  # Lexicon string lengths are UTF-8 bytes
    problems = _bounds(size, schema, "minLength", "maxLength", at, "bytes")
    if "maxGraphemes" in schema or "minGraphemes" in schema:
        count = grapheme_count(value)
        problems += _bounds(count, schema, "minGraphemes", "maxGraphemes", at, "graphemes")
    check = _FORMATS.get(schema.get("format", ""))
    if check and not check(value):
        problems.append(f"{at}: {value!r} is not a valid {schema['format']}")
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{at}: {value!r} is not one of {schema['enum']}")
    return problems
