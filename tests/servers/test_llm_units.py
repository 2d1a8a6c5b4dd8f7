"""Fast checks of atlas-llm's pure parts: output splitting, grammars, templates, requests."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wyoming_servers.llm.chat_template import ChatTemplate
from wyoming_servers.llm.json_grammar import UnsupportedSchema, schema_to_gbnf
from wyoming_servers.llm.output_parser import OutputParser, TextDelta
from wyoming_servers.llm.request import Message, Tool, ToolCall, parse_chat_request
from wyoming_servers.protocol import ProtocolError

RAW = (
    "<think>The user wants light.</think>Sure, turning it on."
    '<tool_call>{"name": "turn_on", "arguments": {"entity_id": "light.kitchen"}}</tool_call>'
)


def _run(chunks: list[str], **kw: Any) -> OutputParser:
    parser = OutputParser(frozenset({"turn_on"}), **kw)
    for chunk in chunks:
        for delta in parser.feed(chunk):
            if isinstance(delta, TextDelta):
                assert "<" not in delta.text or "<3" in delta.text, delta
    parser.finish()
    return parser


@given(st.lists(st.integers(min_value=1, max_value=len(RAW) - 1), max_size=12, unique=True))
@settings(max_examples=200, deadline=None)
def test_markers_never_leak_whatever_the_chunking(cuts: list[int]) -> None:
    bounds = [0, *sorted(cuts), len(RAW)]
    parser = _run([RAW[a:b] for a, b in itertools.pairwise(bounds)])
    assert parser.thinking == "The user wants light."
    assert parser.content == "Sure, turning it on."
    (call,) = parser.tool_calls
    assert (call.name, call.arguments) == ("turn_on", {"entity_id": "light.kitchen"})


def test_bare_llama_style_tool_json() -> None:
    parser = _run(['{"name": "turn_on", ', '"parameters": {"entity_id": "x"}}'])
    assert parser.content == ""
    assert parser.tool_calls[0].arguments == {"entity_id": "x"}


def test_unknown_tool_in_tags_is_kept_aside_not_spoken() -> None:
    parser = _run(['Ok.<tool_call>{"name": "rm_rf", "arguments": {}}</tool_call>'])
    assert parser.tool_calls == []
    assert parser.content == "Ok."
    assert parser.invalid_tool_calls == ['{"name": "rm_rf", "arguments": {}}']


def test_prompt_opened_thinking() -> None:
    parser = _run(["plan first</think>Answer"], start_thinking=True)
    assert (parser.thinking, parser.content) == ("plan first", "Answer")


def test_gemma_fallback_template_folds_system_and_tools() -> None:
    template = ChatTemplate({"general.architecture": "gemma3"}, "<bos>", "<eos>")
    text = template.render(
        [Message("system", "Be brief."), Message("user", "Hi"),
         Message("assistant", "", (ToolCall("c1", "turn_on", {"a": 1}),)),
         Message("tool", '{"ok": true}', tool_call_id="c1", name="turn_on")],
        [Tool("turn_on", "Turn on", {"type": "object"})],
        think=False,
    )  # fmt: skip
    assert text.startswith("<bos><start_of_turn>user\nBe brief.")
    assert '"name": "turn_on"' in text
    assert "Tool result (turn_on)" in text
    assert text.endswith("<start_of_turn>model\n")


def test_gguf_template_is_used_with_tools_and_thinking_flag() -> None:
    source = (
        "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}{% endfor %}"
        "{% if tools %}TOOLS={{ tools | tojson }}{% endif %}"
        "{% if not enable_thinking %}<think></think>{% endif %}<|assistant|>"
    )
    template = ChatTemplate({"tokenizer.chat_template": source}, "", "")
    text = template.render([Message("user", "x")], [Tool("t", "d", {})], think=False)
    assert template.name == "gguf"
    assert "TOOLS=" in text
    assert text.endswith("<think></think><|assistant|>")


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "properties": {"a": {"type": "string", "pattern": "x"}}},
        {"type": "integer", "minimum": 0, "maximum": 10**6},
        {"type": "object", "additionalProperties": {"type": "string"}},
    ],
)
def test_unsupported_schemas_are_refused_by_the_exact_converter(schema: dict[str, Any]) -> None:
    with pytest.raises(UnsupportedSchema):
        schema_to_gbnf(schema)


def test_grammar_shape() -> None:
    gbnf = schema_to_gbnf(
        {"type": "object",
         "properties": {"n": {"type": "integer", "minimum": 1, "maximum": 3},
                        "tags": {"type": "array", "items": {"enum": ["a", "b"]}, "maxItems": 2},
                        "note": {"type": "string", "maxLength": 4}},
         "required": ["n"]}
    )  # fmt: skip
    rules = dict(line.split(" ::= ", 1) for line in gbnf.splitlines())
    assert rules["value-n"] == '"1" | "2" | "3"'
    assert rules["value-note"] == '"\\"" char{0,4} "\\""'
    assert "x00-\\x1F" in rules["char"]  # raw control characters are never allowed in strings
    assert rules["value"].startswith('"{" ws value-n-kv ("," ws value-tags-kv)?')


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"messages": [{"role": "tool", "content": "x"}]}, "bad_request"),
        ({"messages": [{"role": "user", "content": "x"}], "think": "yes"}, "bad_request"),
        ({"messages": [{"role": "user"}], "tools": [{"name": "a b"}]}, "bad_request"),
        ({"messages": [{"role": "user"}], "tools": [{"name": "a"}, {"name": "a"}]}, "bad_request"),
        ({"messages": [{"role": "user"}], "stop": [""]}, "bad_request"),
    ],
)
def test_request_validation(data: dict[str, Any], code: str) -> None:
    with pytest.raises(ProtocolError) as err:
        parse_chat_request(data, max_tokens_cap=100)
    assert err.value.code == code


def test_forced_tool_schema_names_each_tool() -> None:
    request = parse_chat_request(
        {"messages": [{"role": "user", "content": "x"}], "tool_choice": "required",
         "tools": [{"name": "a", "parameters": {"type": "object"}}, {"name": "b"}]},
        max_tokens_cap=100,
    )  # fmt: skip
    schema = request.grammar_schema
    assert schema is not None
    assert [v["properties"]["name"]["const"] for v in schema["oneOf"]] == ["a", "b"]
    assert json.dumps(schema)


def test_stop_strings_spanning_tokens_never_leak() -> None:
    from wyoming_servers.llm.output_parser import partial_marker_len
    from wyoming_servers.llm.text_stream import stop_at

    stops = (" story about ",)
    assert partial_marker_len("Tell me a story", stops) == len(" story")
    assert partial_marker_len("Tell me a tale", stops) == 0
    assert stop_at("Tell me a story about cats", stops, fed=9) == 9


def test_cut_off_forced_tool_call_is_kept_aside() -> None:
    parser = OutputParser(frozenset({"turn_on"}), forced_tool=True)
    parser.feed('{"name": "turn_on", "argu')
    assert parser.finish() == []
    assert parser.invalid_tool_calls == ['{"name": "turn_on", "argu']
    assert parser.content == ""
