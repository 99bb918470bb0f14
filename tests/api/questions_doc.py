"""Read docs/questions.md: its 38 questions, each example call (an ```http block) and the checks on its answer (the
```check block after it), and evaluate a check against an answer.

A check block holds one line per statement:

    store: national | cases          which store the example runs on (the national files, or the case studies)
    status: 404                      the status the call answers (200 when not given)
    <value> <op> <literal>           an assertion on the answer

``<value>`` is a path into the JSON answer (``result.coverage``, ``data[0].code``, ``data[*].code`` for every item
of a list, ``data[code=ZZF-SMALL]`` for the list of the items whose field has that value, so
``data[code=ZZF-SMALL][0].verdict``) or ``len(<path>)``, the length of the list or object there. ``<op>`` is one of
``==  !=  >=  <=  >  <``, ``~=`` (equal to within 0.001), ``contains`` (a list holding the literal, or a string
holding it), ``has`` (an object with that key), ``all==`` (every item of the list equals it, and there is one at
least), ``subset`` and ``superset`` (the list as a set against a JSON list). ``<literal>`` is JSON (``"ZZF-SMALL"``,
``0.25``, ``true``, ``null``, ``["a", "b"]``). A CSV answer reads as ``{"rows": [one object per row]}``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DOC = Path(__file__).resolve().parents[2] / "docs" / "questions.md"

_QUESTION = re.compile(r"^## (\d+)\. (.+)$")
_OPS = ("all==", "superset", "subset", "contains", "has", "==", "!=", ">=", "<=", "~=", ">", "<")
_PATH = r"(?:[^\s\[()]|\[[^\]]*\])+"  # a filter in brackets may hold spaces: data[lot=IAGP 2018]
_LINE = re.compile(r"^(?P<value>len\(" + _PATH + r"\)|" + _PATH + r")\s+(?P<op>" + "|".join(re.escape(o) for o in _OPS)
                   + r")\s+(?P<literal>.+)$")


@dataclass
class Example:
    question: int
    index: int  # 1, 2, ... within the question
    line: int  # of the ```http block in the document
    call: str  # the path and query, as written after GET
    store: str = "national"
    status: int = 200
    checks: list[tuple[int, str, str, Any]] = field(default_factory=list)  # (line, value, op, literal)

    @property
    def id(self) -> str:
        return f"q{self.question:02d}-{self.index}"


@dataclass
class Question:
    number: int
    text: str
    line: int
    examples: list[Example] = field(default_factory=list)
    missing: bool = False  # the section says what it cannot answer ("**Missing.**")


def read(doc: Path = DOC) -> list[Question]:
    questions: list[Question] = []
    lines = doc.read_text(encoding="utf-8").splitlines()
    i = 0
    pending: Example | None = None
    while i < len(lines):
        text = lines[i]
        m = _QUESTION.match(text)
        if m:
            questions.append(Question(int(m.group(1)), m.group(2).strip(), i + 1))
            pending = None
        elif text.startswith("**Missing.**") and questions:
            questions[-1].missing = True
        elif text.strip() in ("```http", "```check"):
            kind = text.strip()[3:]
            start = i + 1
            body: list[tuple[int, str]] = []
            i += 1
            while i < len(lines) and lines[i].strip() != "```":
                body.append((i + 1, lines[i]))
                i += 1
            if i == len(lines):
                raise ValueError(f"{doc.name}:{start}: the ```{kind} block is not closed")
            if not questions:
                raise ValueError(f"{doc.name}:{start}: an example before the first question")
            q = questions[-1]
            if kind == "http":
                calls = [t.strip() for _, t in body if t.strip()]
                if len(calls) != 1 or not calls[0].startswith("GET /"):
                    raise ValueError(f"{doc.name}:{start}: an http block holds one line, GET /path?query")
                pending = Example(q.number, len(q.examples) + 1, start, calls[0][4:])
                q.examples.append(pending)
            else:
                if pending is None:
                    raise ValueError(f"{doc.name}:{start}: a check block with no ```http block before it")
                _read_checks(doc, pending, body)
                pending = None
        i += 1
    return questions


def _read_checks(doc: Path, example: Example, body: list[tuple[int, str]]) -> None:
    for n, text in body:
        t = text.strip()
        if not t or t.startswith("#"):
            continue
        if t.startswith("store:"):
            example.store = t.split(":", 1)[1].strip()
            if example.store not in ("national", "cases"):
                raise ValueError(f"{doc.name}:{n}: store is national or cases, not {example.store!r}")
            continue
        if t.startswith("status:"):
            example.status = int(t.split(":", 1)[1])
            continue
        m = _LINE.match(t)
        if not m:
            raise ValueError(f"{doc.name}:{n}: a check reads '<path> <op> <JSON literal>', not {t!r}")
        try:
            literal = json.loads(m.group("literal"))
        except json.JSONDecodeError as e:
            raise ValueError(f"{doc.name}:{n}: the literal is not JSON: {e}") from None
        example.checks.append((n, m.group("value"), m.group("op"), literal))


def answer_of(content_type: str, text: str) -> Any:
    if content_type.startswith("text/csv"):
        return {"rows": list(csv.DictReader(io.StringIO(text)))}
    return json.loads(text)


_STEP = re.compile(r"([^.\[\]]+)|\[(\*|-?\d+|[^\]=]+=[^\]]*)\]")


def resolve(answer: Any, path: str) -> tuple[Any, bool]:
    """The value at ``path`` and whether the path fanned out (``*``: the value is the list of every item's)."""
    current: list[Any] = [answer]
    many = False
    pos = 0
    while pos < len(path):
        if path[pos] == ".":
            pos += 1
        m = _STEP.match(path, pos)
        if not m:
            raise KeyError(f"cannot read the path {path!r} at {path[pos:]!r}")
        pos = m.end()
        name, index = m.group(1), m.group(2)
        following: list[Any] = []
        for item in current:
            if name is not None:
                if not isinstance(item, dict) or name not in item:
                    keys = sorted(item)[:20] if isinstance(item, dict) else type(item).__name__
                    raise KeyError(f"{path}: no key {name!r} (keys: {keys})")
                following.append(item[name])
            elif index == "*":
                many = True
                following.extend(item)
            elif "=" in index:  # the list of the items whose field has the value (a list, not a fan-out)
                key, value = index.split("=", 1)
                following.append([x for x in item if isinstance(x, dict) and str(x.get(key)) == value])
            else:
                following.append(item[int(index)])
        current = following
    return (current if many else current[0]), many


def check(answer: Any, value: str, op: str, literal: Any) -> str | None:
    """None when the statement holds of the answer, else what was found."""
    if value.startswith("len(") and value.endswith(")"):
        found, _ = resolve(answer, value[4:-1])
        got: Any = len(found)
    else:
        got, _ = resolve(answer, value)
    ok = {
        "==": lambda: got == literal,
        "!=": lambda: got != literal,
        ">=": lambda: got >= literal,
        "<=": lambda: got <= literal,
        ">": lambda: got > literal,
        "<": lambda: got < literal,
        "~=": lambda: abs(float(got) - float(literal)) <= 1e-3,
        "contains": lambda: literal in got,
        "has": lambda: isinstance(got, dict) and literal in got,
        "all==": lambda: isinstance(got, list) and len(got) > 0 and all(x == literal for x in got),
        "subset": lambda: set(got) <= set(literal),
        "superset": lambda: set(got) >= set(literal),
    }[op]()
    if ok:
        return None
    shown = json.dumps(got, default=str)
    return shown if len(shown) < 600 else shown[:600] + " ..."


def run(app: Any, example: Example) -> None:
    """Make the example's call on ``app`` and assert its status and every check, naming the document's lines."""
    from api.inprocess import get

    r = get(app, example.call)
    where = f"{example.id} (docs/questions.md:{example.line}) GET {example.call}"
    assert r.status_code == example.status, f"{where}: {r.status_code} {r.text[:800]}"
    answer = answer_of(r.headers.get("content-type", ""), r.text)
    failures = []
    for line, value, op, literal in example.checks:
        try:
            found = check(answer, value, op, literal)
        except (KeyError, IndexError, TypeError, ValueError) as e:
            found = f"cannot evaluate: {e}"
        if found is not None:
            failures.append(f"  docs/questions.md:{line}: {value} {op} {json.dumps(literal)}: found {found}")
    assert not failures, f"{where}:\n" + "\n".join(failures)
