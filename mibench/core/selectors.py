"""Parse selectors such as ``NAME[k=5]`` and ``NAME[dim=20,rho=0.9]``.

Grammar::

    list      := selector ("," selector)*        (commas inside [] or () do not split)
    selector  := NAME ["[" param ("," param)* "]"]
    param     := KEY "=" value ("|" value)*      ("|" gives a grid of values)
    value     := int | float | true | false | none | "(" value ("," value)* ")"
               | selector (kept as text, e.g. base=NAME[dim=5]) | text

Values are typed: ``5`` is an int, ``0.9`` and ``1e-3`` floats, ``true`` a bool,
``(100,100)`` a tuple, anything else a string. Quotes ('…' or "…") keep a
value as text and protect ``,``, ``|``, ``[`` and ``]`` inside it.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from .errors import SelectorError

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-.]*$")
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Selector:
    """A parsed selector: a plugin name and parameter values."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        from .params import format_value

        if not self.params:
            return self.name
        inner = ",".join(f"{k}={format_value(v)}" for k, v in self.params.items())
        return f"{self.name}[{inner}]"


def split_top_level(text: str, sep: str = ",") -> list[str]:
    """Split on ``sep`` outside brackets, parentheses and quotes ('…' or "…")."""
    parts: list[str] = []
    depth = 0
    cur: list[str] = []
    quote = ""
    for ch in text:
        if quote:
            cur.append(ch)
            if ch == quote:
                quote = ""
            continue
        if ch in "'\"":
            quote = ch
            cur.append(ch)
            continue
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
            if depth < 0:
                raise SelectorError(f"unbalanced closing {ch!r} in {text!r}")
        if ch == sep and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    if quote:
        raise SelectorError(f"unclosed quote {quote} in {text!r}")
    if depth != 0:
        raise SelectorError(f"unbalanced brackets in {text!r}")
    parts.append("".join(cur))
    return [p.strip() for p in parts]


def parse_value(text: str) -> Any:
    """Parse one typed value."""
    t = text.strip()
    if not t:
        raise SelectorError("empty value")
    low = t.lower()
    if low == "true":
        return True
    if low == "false":
        return False
    if low in ("none", "null"):
        return None
    if t[0] == "(" and t[-1] == ")":
        inner = t[1:-1].strip()
        if not inner:
            return ()
        return tuple(parse_value(p) for p in split_top_level(inner) if p != "")
    if len(t) >= 2 and t[0] == t[-1] and t[0] in "'\"":
        return t[1:-1]
    try:
        return int(t)
    except ValueError:
        pass
    try:
        return float(t)
    except ValueError:
        pass
    if "[" in t and t.endswith("]") and _NAME.match(t[: t.index("[")]):
        parse_selector(t)  # a nested selector, kept as text: checked here for syntax
        return t
    if any(c in t for c in "[]()=,"):
        raise SelectorError(f"cannot read value {text!r}")
    return t


def parse_selector(text: str) -> list[Selector]:
    """Parse one selector; a ``|`` grid gives several selectors (cartesian product)."""
    t = text.strip()
    if not t:
        raise SelectorError("empty selector")
    if "[" in t:
        if not t.endswith("]"):
            raise SelectorError(
                f"malformed selector {text!r}: expected NAME[key=value,...] ending with ']'"
            )
        name, inner = t[: t.index("[")].strip(), t[t.index("[") + 1 : -1]
    else:
        if "]" in t or "=" in t:
            raise SelectorError(f"malformed selector {text!r}: expected NAME[key=value,...]")
        name, inner = t, ""
    if not _NAME.match(name):
        raise SelectorError(f"malformed selector {text!r}: {name!r} is not a valid name")
    grid: dict[str, list[Any]] = {}
    if inner.strip():
        for item in split_top_level(inner):
            if "=" not in item:
                raise SelectorError(
                    f"malformed selector {text!r}: parameter {item!r} must be key=value"
                )
            key, _, raw = item.partition("=")
            key = key.strip()
            if not _KEY.match(key):
                raise SelectorError(f"malformed selector {text!r}: bad parameter name {key!r}")
            if key in grid:
                raise SelectorError(f"malformed selector {text!r}: parameter {key!r} given twice")
            try:
                grid[key] = [parse_value(v) for v in split_top_level(raw, "|")]
            except SelectorError as exc:
                raise SelectorError(f"malformed selector {text!r}: {exc}") from None
    keys = list(grid)
    return [Selector(name, dict(zip(keys, combo, strict=True)))
            for combo in itertools.product(*(grid[k] for k in keys))]


def parse_selectors(text: str | list[str] | tuple[str, ...]) -> list[Selector]:
    """Parse a comma-separated list (or a list of strings) of selectors."""
    items = [text] if isinstance(text, str) else list(text)
    out: list[Selector] = []
    for item in items:
        for part in split_top_level(item):
            if part:
                out.extend(parse_selector(part))
    if not out:
        raise SelectorError("no selector given")
    return out
