"""docs/questions.md answers the 38 questions of the domain model (shared/docs/domain-model.md §5), each with one
call: every example in it is run here on both stores (the embedded store and Neo4j holding the same graph), over the
national files or the case studies as the example says, and its answer is checked line by line, so the document
cannot drift from the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.api import questions_doc

QUESTIONS = questions_doc.read()
EXAMPLES = [e for q in QUESTIONS for e in q.examples]
# the case studies' examples run in tests/api/test_questions_cases.py: Neo4j holds one graph at a time, and the
# modules that load another graph than the national one run on the other worker (tests/conftest.py)
NATIONAL = [e for e in EXAMPLES if e.store == "national"]
DOMAIN_MODEL = Path(__file__).resolve().parents[3] / "shared" / "docs" / "domain-model.md"


def test_the_document_asks_the_38_questions_in_order_each_with_a_call() -> None:
    assert [q.number for q in QUESTIONS] == list(range(1, 39))
    for q in QUESTIONS:
        assert q.examples, f"question {q.number} (docs/questions.md:{q.line}) has no example call"
        for e in q.examples:
            assert e.checks, f"{e.id} (docs/questions.md:{e.line}) checks nothing of its answer"


@pytest.mark.skipif(not DOMAIN_MODEL.exists(), reason="../shared is not beside the project")
def test_the_questions_are_the_domain_model_s() -> None:
    text = DOMAIN_MODEL.read_text(encoding="utf-8")
    section = text[text.index("## 5. Questions"):text.index("## 6.")]
    asked = {int(m.group(1)): m.group(2) for m in re.finditer(r"^(\d+)\. (.+)$", section, re.M)}
    assert sorted(asked) == list(range(1, 39))
    for q in QUESTIONS:
        # the domain model's wording, without its citation in brackets at the end
        wording = re.sub(r"\s*\([^()]*(?:\([^()]*\)[^()]*)*\)\s*$", "", asked[q.number]).replace("**", "")
        assert q.text == wording, f"question {q.number}: {q.text!r} != {wording!r}"


@pytest.mark.integration
@pytest.mark.parametrize("example", NATIONAL, ids=[e.id for e in NATIONAL])
def test_the_national_example_answers_as_the_document_says(app, example: questions_doc.Example) -> None:
    questions_doc.run(app, example)
