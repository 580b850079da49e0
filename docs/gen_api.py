"""Write docs/api.md, the plugin API reference, from the docstrings and signatures.

The reference is generated so that it cannot drift from the code: the test
``tests/test_docs_api.py`` regenerates it and fails when docs/api.md differs, and runs
its examples. Change a docstring, then run ``python docs/gen_api.py``.
"""
from __future__ import annotations

import dataclasses
import inspect
import re
import sys
from pathlib import Path

OUT = Path(__file__).with_name("api.md")

INTRO = """\
# The plugin API reference

Generated from the docstrings by `docs/gen_api.py` (a test checks it is current). The
narrative guide is `docs/plugins.md`; this page lists everything a plugin may use. A
plugin imports only from `cgtk` (and its public subpackages `cgtk.nn`, `cgtk.losses`,
`cgtk.metrics`, `cgtk.data`, `cgtk.testing`) and from Keras; `.importlinter` checks that
for the built-in plugins.
"""


_ROLE = re.compile(r":(?:class|func|meth|mod|data|attr):`~?([^`]+)`")
_SECTIONS = ("Args:", "Returns:", "Raises:", "Example:", "Examples:")


def _markdown(text: str) -> str:
    """reST-flavoured docstring text -> Markdown: roles and ``literals`` become code,
    ``Args:`` blocks become lists."""
    text = _ROLE.sub(r"`\1`", text).replace("``", "`")
    out, in_section = [], False
    for line in text.splitlines():
        if line.strip() in _SECTIONS:
            out += ["", f"**{line.strip()[:-1]}**", ""]
            in_section = True
            continue
        if in_section and line.startswith("    ") and not line.startswith("        "):
            name, sep, rest = line.strip().partition(": ")
            out.append(f"- `{name}`: {rest}" if sep else f"- {line.strip()}")
            continue
        if in_section and line.startswith("        "):
            out[-1] += " " + line.strip()
            continue
        in_section = in_section and bool(line.strip()) and line.startswith(" ")
        out.append(line)
    return "\n".join(out)


def _doc(obj) -> str:
    return _markdown(inspect.cleandoc(obj.__doc__ or "").strip())


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _signature(name: str, obj) -> str:
    try:
        return f"{name}{inspect.signature(obj)}"
    except (TypeError, ValueError):
        return name


def _first_paragraph(obj) -> str:
    return _doc(obj).split("\n\n")[0].replace("\n", " ")


def _fence_examples(text: str) -> str:
    """Doctest blocks inside a docstring become fenced ``pycon`` blocks."""
    out, block = [], []
    for line in text.splitlines() + [""]:
        if line.startswith((">>> ", "... ")) or (block and line.strip() and not
                                                   line.startswith(("#", "*", "-"))):
            block.append(line)
            continue
        if block:
            out += ["```pycon", *block, "```"]
            block = []
        out.append(line)
    return "\n".join(out).rstrip()


def _section(title: str, obj, name: str | None = None) -> list[str]:
    head = _signature(name or obj.__name__, obj)
    return [f"### `{head}`", "", _fence_examples(_doc(obj)), ""]


def _fields_table(cls) -> list[str]:
    rows = ["| key | type | default | help |", "|---|---|---|---|"]
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        default = f.default if f.default is not dataclasses.MISSING else "(required)"
        kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
        text = (f.metadata or {}).get("help", "")
        choices = (f.metadata or {}).get("choices")
        if choices:
            text += f" ({' / '.join(map(str, choices))})"
        rows.append(f"| `{f.name}` | `{_cell(kind)}` | `{_cell(repr(default))}` | {_cell(text)} |")
    return rows + [""]


def _functions(module, names) -> list[str]:
    rows = ["| name | what it is |", "|---|---|"]
    for name in names:
        obj = getattr(module, name)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            rows.append(f"| `{_cell(_signature(name, obj))}` | {_cell(_first_paragraph(obj))} |")
        else:
            rows.append(f"| `{name}` | `{_cell(repr(obj))}` |")
    return rows + [""]


def render() -> str:
    import cgtk
    from cgtk import losses, nn, testing
    from cgtk.data import kinds
    from cgtk.engine import reserved

    parts = [INTRO, "## The spec: `cgtk.Plugin`", ""]
    parts += _section("Plugin", cgtk.Plugin)
    parts += ["## The model: `cgtk.GANModel`", "", _fence_examples(_doc(cgtk.GANModel)), ""]
    for hook in ("phases", "inference", "setup_data", "sample_columns"):
        parts += [f"- `{_signature(hook, getattr(cgtk.GANModel, hook))}`: "
                  f"{_first_paragraph(getattr(cgtk.GANModel, hook))}"]
    parts += ["", "### Reserved names", "", _fence_examples(_doc(reserved)), "",
              "Class attributes a plugin may set: "
              + ", ".join(f"`{n}`" for n in sorted(reserved.PLUGIN_HOOKS)
                          if not n.startswith("_")) + ".", ""]
    parts += ["## Update phases: `cgtk.Phase`", ""] + _section("Phase", cgtk.Phase)
    parts += ["## Inference networks: `cgtk.Inference`", ""]
    parts += _section("Inference", cgtk.Inference)
    parts += ["## Options: `cgtk.option` and `cgtk.TrainConfig`", ""]
    parts += _section("option", cgtk.option)
    parts += [_fence_examples(_doc(cgtk.TrainConfig)), "",
              "Every plugin's Config subclasses it, so every plugin has these keys "
              "(each plugin may change the defaults):", ""]
    parts += _fields_table(cgtk.TrainConfig)
    parts += ["## Data kinds: what a batch is", "", _fence_examples(_doc(kinds)), ""]
    for kind, text in kinds.BATCH_CONTRACT.items():
        parts += [f"- **`{kind}`**: {text}", ""]
    parts += ["Folder layouts per kind:", ""]
    for kind, text in kinds.EXPECTED_LAYOUT.items():
        parts += [f"- **`{kind}`**:", "", "  ```", *("  " + ln for ln in text.splitlines()),
                  "  ```", ""]
    parts += ["## Losses: `cgtk.losses`", "", _fence_examples(_doc(losses)), ""]
    parts += _functions(losses, [n for n in losses.__all__ if n != "GAN_MODES"])
    parts += ["## Building blocks: `cgtk.nn`", "", _fence_examples(_doc(nn)), ""]
    parts += _functions(nn, nn.__all__)
    parts += ["## Conformance: `cgtk.testing.check_plugin`", "",
              _fence_examples(_doc(testing)), ""]
    parts += _section("check_plugin", testing.check_plugin)
    if hasattr(cgtk, "import_weights") or "import_weights" in getattr(cgtk, "_LAZY", {}):
        parts += ["## Reference weights: `cgtk.import_weights`", ""]
        parts += _section("import_weights", cgtk.import_weights)
    from cgtk.runs import record

    parts += ["## Run records: `cgtk.RunRecord`, `cgtk.read_run_record`", "",
              _fence_examples(_doc(record)), ""]
    parts += _section("read_run_record", cgtk.read_run_record)
    parts += _section("InferenceSpec", cgtk.InferenceSpec)
    return "\n".join(parts).rstrip() + "\n"


def main() -> int:
    OUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
