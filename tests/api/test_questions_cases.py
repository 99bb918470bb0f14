"""The examples of docs/questions.md that run on the case studies (seeds/casestudies), on both stores; the national
ones and the document's own checks are in tests/api/test_questions.py."""

from __future__ import annotations

import pytest

from tests.api import questions_doc

CASES = [e for q in questions_doc.read() for e in q.examples if e.store == "cases"]


@pytest.mark.parametrize("example", CASES, ids=[e.id for e in CASES])
def test_the_case_study_example_answers_as_the_document_says(cases_app, example: questions_doc.Example) -> None:
    questions_doc.run(cases_app, example)
