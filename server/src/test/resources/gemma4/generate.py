"""Regenerates extra-rendered.json: edge cases the shared vectors do not cover, rendered by the official Gemma 4
template in the shared reference's transformers-like environment (its render.py, whose normalisation is applied).
Usage: python3 generate.py REFERENCE_DIR OUT.json   (REFERENCE_DIR = shared/reference/chat-templates)
The template itself stays in the reference directory; only its output is kept here."""
import copy
import json
import sys
from pathlib import Path

REF = Path(sys.argv[1])
sys.path.insert(0, str(REF))
import render as R  # noqa: E402

src = (REF / "templates" / "gemma-4.jinja").read_text(encoding="utf-8")
env = R.make_env()
tmpl = env.from_string(src)

def fn(name, desc, params=None, **extra):
    f = {"name": name}
    if desc is not None: f["description"] = desc
    if params is not None: f["parameters"] = params
    f.update(extra)
    return {"type": "function", "function": f}

tools = {
 "nullable": fn("set_profile", "Update the profile.", {"type": "object", "properties": {
     "a": {"type": "string", "nullable": True, "description": "A"},
     "b": {"type": ["string", "null"], "description": "B"},
     "c": {"type": "number"},
     "d": {"type": "boolean", "description": ""},
     "e": {"type": "string", "enum": ["x", 1, None, True], "nullable": True}},
   "required": ["a", "b"], "additionalProperties": False}),
 "objects": fn("configure", "Configure things.", {"type": "object", "properties": {
     "cfg": {"type": "object", "description": "free-form", "additionalProperties": {"type": "string"}, "title": "Cfg"},
     "meta": {"type": "object", "properties": {}},
     "deep": {"type": "object", "properties": {"inner": {"type": "object", "properties": {"leaf": {"type": "integer", "description": "Leaf"}}, "required": ["leaf"]}, "list": {"type": "array", "items": {"type": "object", "properties": {"k": {"type": "string"}}}}}, "required": ["inner"], "nullable": True}}}),
 "arrays": fn("lists", "Arrays of things.", {"type": "object", "properties": {
     "xs": {"type": "array", "items": {"type": "string", "enum": ["a", "b"], "description": "an x"}},
     "ys": {"type": "array", "items": {"type": ["integer", "null"]}},
     "zs": {"type": "array", "items": {"type": "array", "items": {"type": "string"}}},
     "ws": {"type": "array"},
     "vs": {"type": "array", "items": {"type": "object", "properties": {"n": {"type": "number", "description": "N"}}, "required": ["n"], "description": "item", "default": None}}}}),
 "mixed_case": fn("Case_Tool", "Keys in mixed case: \"quoted\" and 'single', café ✓.", {"type": "OBJECT", "properties": {
     "Zeta": {"type": "string"}, "alpha": {"type": "STRING", "enum": ["Q"]}, "Beta": {"type": "integer", "enum": [1, 2]},
     "_under": {"type": "string"}, "ümlaut": {"type": "string", "description": "Ü"}}, "required": ["Zeta"]}),
 "no_params": fn("ping", "Ping."),
 "empty_params": fn("noop", "Nothing.", {}),
 "response": fn("lookup", "Look up.", {"type": "object", "properties": {"q": {"type": "string"}}}, response={"type": "object", "description": "The result."}),
}
cat = tools
def call(i, name, args):
    return {"id": i, "type": "function", "function": {"name": name, "arguments": json.dumps(args, ensure_ascii=False)}}

cases = []
def case(cid, messages, tool_names=(), thinking=None):
    cases.append({"id": cid, "messages": messages, "tools": list(tool_names), "enable_thinking": thinking})

case("x01_declarations", [{"role": "system", "content": "Use tools."}, {"role": "user", "content": "Go."}], list(tools))
case("x02_declarations_thinking", [{"role": "user", "content": "Go."}], ["nullable", "no_params"], True)
case("x03_assistant_last", [{"role": "user", "content": "Say hi"}, {"role": "assistant", "content": "Sure,"}])
case("x04_consecutive_assistants", [{"role": "user", "content": "u1"}, {"role": "assistant", "content": "a"}, {"role": "assistant", "content": "b"}, {"role": "user", "content": "u2"}])
case("x05_call_without_result_then_user", [{"role": "user", "content": "Weather?"}, {"role": "assistant", "content": None, "tool_calls": [call("c1", "lookup", {"q": "w"})]}, {"role": "user", "content": "never mind"}], ["response"])
case("x06_call_without_result_last", [{"role": "user", "content": "Weather?"}, {"role": "assistant", "content": None, "tool_calls": [call("c1", "lookup", {"q": "w"})]}], ["response"])
case("x07_unmatched_tool_call_id", [{"role": "user", "content": "Both"}, {"role": "assistant", "content": None, "tool_calls": [call("a", "lookup", {"q": "1"}), call("b", "ping", {})]}, {"role": "tool", "tool_call_id": "zzz", "content": "r1"}, {"role": "tool", "tool_call_id": "b", "content": "pong"}], ["response", "no_params"])
case("x08_argument_types", [{"role": "user", "content": "Do"}, {"role": "assistant", "content": "", "tool_calls": [call("c", "configure", {"int": 7, "float": 2.5, "big": 1e20, "small": 0.00001, "whole": 3.0, "neg": -12, "t": True, "f": False, "n": None, "Zed": "Z", "alpha": "a", "empty_obj": {}, "empty_arr": [], "nested": {"B": [1, {"y": "q", "X": None}], "a": "x"}, "ключ": "значение", "multi": "line1\nline2 \"q\" 'x' \\ <b>"})]}, {"role": "tool", "tool_call_id": "c", "content": " spaced result \n"}], ["objects"])
case("x09_reasoning_rules", [{"role": "user", "content": "q1"}, {"role": "assistant", "content": "a1", "reasoning_content": "r1"}, {"role": "user", "content": "q2"}, {"role": "assistant", "content": "a2", "reasoning_content": "r2"}])
case("x10_trimming", [{"role": "system", "content": "  \n sys \t"}, {"role": "user", "content": "\n hi \n"}, {"role": "assistant", "content": " a \n"}, {"role": "user", "content": "\u00a0again\u3000"}])
case("x11_echoed_thought", [{"role": "user", "content": "q"}, {"role": "assistant", "content": "<|channel>thought\nx<channel|>Answer <channel|>!"}, {"role": "user", "content": "q2"}])
case("x12_thinking_tool_loop", [{"role": "system", "content": "S"}, {"role": "user", "content": "Where and weather?"}, {"role": "assistant", "content": None, "reasoning_content": "first location", "tool_calls": [call("l", "ping", {})]}, {"role": "tool", "tool_call_id": "l", "content": "Lisbon"}, {"role": "assistant", "content": None, "reasoning_content": "now weather", "tool_calls": [call("w", "lookup", {"q": "Lisbon"})]}, {"role": "tool", "tool_call_id": "w", "content": "sunny"}], ["no_params", "response"], True)
case("x13_loop_then_answer_thinking", [{"role": "user", "content": "Where?"}, {"role": "assistant", "content": None, "tool_calls": [call("l", "ping", {})]}, {"role": "tool", "tool_call_id": "l", "content": "Lisbon"}, {"role": "assistant", "content": "You are in Lisbon.", "reasoning_content": "easy"}], ["no_params"], True)
case("x14_empty_tool_result", [{"role": "user", "content": "p"}, {"role": "assistant", "content": None, "tool_calls": [call("p", "ping", {})]}, {"role": "tool", "tool_call_id": "p", "content": ""}], ["no_params"])
case("x15_no_messages", [])
case("x16_developer_first_with_tools_thinking", [{"role": "developer", "content": "Dev rules."}, {"role": "user", "content": "Hi"}], ["empty_params", "no_params"], True)
case("x17_tool_loop_mid_history", [{"role": "user", "content": "q"}, {"role": "assistant", "content": None, "reasoning_content": "dropped", "tool_calls": [call("p", "ping", {})]}, {"role": "tool", "tool_call_id": "p", "content": "pong"}, {"role": "assistant", "content": "done"}, {"role": "user", "content": "again"}, {"role": "assistant", "content": None, "tool_calls": [call("p2", "ping", {})]}, {"role": "tool", "tool_call_id": "p2", "content": "pong2"}], ["no_params"])
case("x18_empty_reasoning", [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a", "reasoning_content": ""}])

out = {"about": "Extra Gemma 4 rendering vectors generated by generate.py (next to this file) with the official template (shared/reference/chat-templates/templates/gemma-4.jinja, sha256 df269903...) in render.py's transformers-like environment, after render.py's normalisation. Reference data only.", "tools": tools, "cases": []}
for c in cases:
    kw = {}
    if c["enable_thinking"] is not None: kw["enable_thinking"] = c["enable_thinking"]
    ctx = {"messages": R.normalize(c["messages"]), "tools": [copy.deepcopy(tools[t]) for t in c["tools"]] or None, "add_generation_prompt": True, "bos_token": "<bos>", **kw}
    try:
        p = tmpl.render(documents=None, **ctx); err = None
    except Exception as e:
        p = None; err = str(e)
    out["cases"].append({"id": c["id"], "tools": c["tools"], "template_kwargs": kw, "messages": c["messages"], "prompt": p, "error": err})
json.dump(out, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False, indent=1)
