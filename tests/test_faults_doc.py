"""docs/faults.md lists every registered fault (tests/faultlib.py) and cannot drift."""

from __future__ import annotations

from pathlib import Path

import faultlib

DOC = Path(__file__).resolve().parent.parent / "docs" / "faults.md"


def test_faults_doc_lists_every_fault():
    assert DOC.read_text() == faultlib.markdown(), (
        "docs/faults.md is stale: run `python tests/faultlib.py > docs/faults.md`")


def test_every_area_has_a_fault():
    areas = {f.area for f in faultlib.all_faults()}
    assert areas == set(faultlib.AREAS), f"areas without a fault: {set(faultlib.AREAS) - areas}"
