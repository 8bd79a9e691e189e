"""docs/supported-python.md is generated from the translator's own registries and cannot drift."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from rustify.analysis import constructs, lower, typing_rules, verdict
from rustify.analysis.constructs import EXPRESSIONS, STATEMENTS

DOC = Path(__file__).resolve().parent.parent / "docs" / "supported-python.md"


def test_committed_doc_equals_the_generated_text():
    assert DOC.read_text() == constructs.markdown(), (
        "docs/supported-python.md is stale: run "
        "`python -m rustify.analysis.constructs --markdown > docs/supported-python.md`")


def test_generator_command_prints_the_doc():
    out = subprocess.run([sys.executable, "-m", "rustify.analysis.constructs", "--markdown"],
                         capture_output=True, text=True, check=True).stdout
    assert out == DOC.read_text()


def test_registry_and_lowerer_agree():
    handlers = {c.handler for c in list(STATEMENTS.values()) + list(EXPRESSIONS.values())}
    methods = {name for name in dir(lower.FunctionLowerer) if name.startswith("_lower_")}
    assert handlers == methods  # every listed construct has a method, every method is listed
    assert all(op in constructs._OPERATOR_NAMES for op in [*typing_rules.BINOPS, *typing_rules.CMPOPS])


def while_loop(n):
    total = 0
    while n > 0:
        total += n
        n -= 1
    return total


def test_dispatch_goes_through_the_registry(monkeypatch):
    assert verdict(while_loop, ("int",)) == []
    monkeypatch.delitem(STATEMENTS, "While")
    reasons = verdict(while_loop, ("int",))
    assert [r.why for r in reasons] == ["statement `While` is not translated"]
