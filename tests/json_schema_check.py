"""A small JSON Schema (2020-12) checker for the keywords imgcast's schemas use.

Chosen over adding the `jsonschema` package (and its compiled rpds-py dependency) as a test
dependency for one schema. It refuses any keyword it does not implement, so a schema can never
silently rely on a check that is not made.
"""

from __future__ import annotations

import re
from typing import Any

_ANNOTATIONS = {"$schema", "$id", "title", "description", "$defs", "$comment"}
_CHECKED = {"type", "enum", "required", "additionalProperties", "properties", "items", "$ref",
            "minimum", "minLength", "pattern"}
_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def errors(instance: Any, schema: dict[str, Any], root: dict[str, Any] | None = None, where: str = "$") -> list[str]:
    """Every way `instance` breaks `schema`, as 'path: what' lines (empty when it conforms)."""
    root = root if root is not None else schema
    unknown = set(schema) - _ANNOTATIONS - _CHECKED
    if unknown:
        raise ValueError(f"schema keyword(s) not implemented by the checker: {sorted(unknown)}")
    found: list[str] = []
    if "$ref" in schema:
        ref = schema["$ref"]
        if not ref.startswith("#/"):
            raise ValueError(f"only local $ref supported: {ref}")
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part]
        found += errors(instance, target, root, where)
    if "type" in schema:
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_TYPES[k](instance) for k in kinds):
            return found + [f"{where}: {instance!r} is not of type {kinds}"]
    if "enum" in schema and not any(instance == v and type(instance) is type(v) for v in schema["enum"]):
        found.append(f"{where}: {instance!r} is not one of {schema['enum']}")
    if "minimum" in schema and _TYPES["number"](instance) and instance < schema["minimum"]:
        found.append(f"{where}: {instance} is below {schema['minimum']}")
    if isinstance(instance, str):
        if len(instance) < schema.get("minLength", 0):
            found.append(f"{where}: {instance!r} is too short")
        if "pattern" in schema and not re.search(schema["pattern"], instance):
            found.append(f"{where}: {instance!r} does not match {schema['pattern']}")
    if isinstance(instance, dict):
        for key in schema.get("required", []):
            if key not in instance:
                found.append(f"{where}: missing {key!r}")
        properties = schema.get("properties", {})
        for key, value in instance.items():
            if key in properties:
                found += errors(value, properties[key], root, f"{where}.{key}")
            elif schema.get("additionalProperties", True) is False:
                found.append(f"{where}: unexpected key {key!r}")
    if isinstance(instance, list) and "items" in schema:
        for index, item in enumerate(instance):
            found += errors(item, schema["items"], root, f"{where}[{index}]")
    return found
