"""JSON schema → GBNF grammar for llama.cpp, exact for the subset ATLAS uses.

Supported exactly: objects (properties in the given order, ``required``, no extra keys), strings
(``enum``, ``const``, ``minLength``/``maxLength``, no raw control characters), integers with
``minimum``/``maximum`` (exact ranges), numbers (with optional ``minimum`` ≥ 0 and ``maximum`` ≤ 1
for confidences/probabilities), booleans, null, arrays (``items``, ``minItems``, ``maxItems``),
``enum``/``const`` of any JSON value, ``anyOf``/``oneOf`` and type lists. Anything else raises
:class:`UnsupportedSchema` and the caller falls back to llama.cpp's converter.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_INT_ENUM = 1000


class UnsupportedSchema(ValueError):
    """The schema uses a feature this converter does not handle exactly."""


_BASE = {
    "ws": "[ \\t\\n]{0,2}",
    "char": '[^"\\\\\\x00-\\x1F\\x7F] | "\\\\" (["\\\\/bfnrt] | "u" [0-9a-fA-F]{4})',
    "string": '"\\"" char* "\\""',
    "digits": "[0-9]+",
    "integer": '"-"? ("0" | [1-9] [0-9]{0,15})',
    "number": '"-"? ("0" | [1-9] [0-9]{0,15}) ("." [0-9]{1,8})? ([eE] [-+]? [0-9]{1,3})?',
    "boolean": '"true" | "false"',
    "null": '"null"',
}


def _literal(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return json.dumps(text, ensure_ascii=False)  # a GBNF string literal of the JSON text


class _Converter:
    def __init__(self) -> None:
        self.rules: dict[str, str] = {}

    def add(self, name: str, body: str) -> str:
        base = re.sub(r"[^a-zA-Z0-9-]+", "-", name).strip("-") or "r"
        candidate, n = base, 1
        while candidate in self.rules and self.rules[candidate] != body:
            n += 1
            candidate = f"{base}{n}"
        self.rules[candidate] = body
        return candidate

    def visit(self, schema: Any, name: str) -> str:
        if schema is True or schema == {}:
            raise UnsupportedSchema("an unconstrained value")
        if not isinstance(schema, dict):
            raise UnsupportedSchema(f"schema {schema!r}")
        if "const" in schema:
            return self.add(name, _literal(schema["const"]))
        if "enum" in schema:
            return self.add(name, " | ".join(_literal(v) for v in schema["enum"]))
        for key in ("anyOf", "oneOf"):
            if key in schema:
                alts = [self.visit(s, f"{name}-{i}") for i, s in enumerate(schema[key])]
                return self.add(name, " | ".join(alts))
        kind = schema.get("type")
        if isinstance(kind, list):
            alts = [self.visit({**schema, "type": t}, f"{name}-{t}") for t in kind]
            return self.add(name, " | ".join(alts))
        handler = getattr(self, f"_{kind}", None)
        if handler is None:
            raise UnsupportedSchema(f"type {kind!r}")
        result: str = handler(schema, name)
        return result

    def _string(self, schema: dict[str, Any], name: str) -> str:
        if "pattern" in schema or "format" in schema:
            raise UnsupportedSchema("string pattern/format")
        low, high = int(schema.get("minLength", 0)), schema.get("maxLength")
        if low == 0 and high is None:
            return "string"
        reps = f"{{{low},{int(high)}}}" if high is not None else f"{{{low},}}"
        return self.add(name, f'"\\"" char{reps} "\\""')

    def _integer(self, schema: dict[str, Any], name: str) -> str:
        low, high = schema.get("minimum"), schema.get("maximum")
        if "exclusiveMinimum" in schema or "exclusiveMaximum" in schema:
            raise UnsupportedSchema("exclusive bounds")
        if low is None and high is None:
            return "integer"
        if low is None or high is None or high - low > MAX_INT_ENUM:
            raise UnsupportedSchema("integer range")
        return self.add(name, " | ".join(f'"{v}"' for v in range(int(low), int(high) + 1)))

    def _number(self, schema: dict[str, Any], name: str) -> str:
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is None and high is None:
            return "number"
        if (low, high) == (0, 1):
            return self.add(name, '"0" | "1" | "1.0" | "0." [0-9]{1,4}')
        raise UnsupportedSchema("number range other than [0, 1]")

    def _boolean(self, schema: dict[str, Any], name: str) -> str:
        return "boolean"

    def _null(self, schema: dict[str, Any], name: str) -> str:
        return "null"

    def _array(self, schema: dict[str, Any], name: str) -> str:
        item = self.visit(schema.get("items", {}), f"{name}-item")
        low, high = int(schema.get("minItems", 0)), schema.get("maxItems")
        upper = str(int(high) - 1) if high is not None else ""
        more = f"{{{max(low - 1, 0)},{upper}}}"
        if high is not None and int(high) == 0:
            return self.add(name, '"[" ws "]"')
        body = f'"[" ws {item} ("," ws {item}){more} ws "]"'
        if low == 0:
            body = f'"[" ws "]" | {body}'
        return self.add(name, body)

    def _object(self, schema: dict[str, Any], name: str) -> str:
        props: dict[str, Any] = schema.get("properties", {})
        if schema.get("additionalProperties") not in (None, False) or "patternProperties" in schema:
            raise UnsupportedSchema("additional properties")
        required = set(schema.get("required", []))
        if not props:
            return self.add(name, '"{" ws "}"')
        kvs = []
        for key, sub in props.items():
            value = self.visit(sub, f"{name}-{key}")
            kv = self.add(f"{name}-{key}-kv", f'{json.dumps(json.dumps(key))} ws ":" ws {value}')
            kvs.append((kv, key in required))
        # Properties keep their order; optional ones may be left out.
        body = self._sequence(kvs)
        return self.add(name, f'"{{" ws {body} ws "}}"')

    def _sequence(self, kvs: list[tuple[str, bool]]) -> str:
        """Comma-separated members in order, optional ones omissible, never a stray comma."""
        if not kvs:
            return '""'
        (first, first_required), rest = kvs[0], kvs[1:]
        tail = "".join(f' "," ws {kv}' if req else f' ("," ws {kv})?' for kv, req in rest)
        if first_required:
            return f"{first}{tail}"
        with_first = f"{first}{tail}"
        without = self._sequence(rest)
        return f"({with_first} | {without})" if without != '""' else f"({with_first})?"


def schema_to_gbnf(schema: dict[str, Any]) -> str:
    """GBNF whose language is exactly the JSON texts valid for ``schema``."""
    conv = _Converter()
    conv.rules.update(_BASE)
    root = conv.visit(schema, "value")
    conv.rules["root"] = f"ws {root} ws" if root != "root" else conv.rules["root"]
    return "\n".join(f"{k} ::= {v}" for k, v in conv.rules.items())
