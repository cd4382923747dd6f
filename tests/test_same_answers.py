"""``python -m aiact.benchmarks.same_answers``: two eval reports are the same answers when only
their timings differ, and not when any answer, citation or case does."""
from __future__ import annotations

import json

import pytest

from aiact.benchmarks.same_answers import main


def _report(path, records):
    path.mkdir()
    (path / "report.json").write_text(json.dumps({"records": {"hybrid+structure": records}}), encoding="utf-8")
    return path


RECORD = {"id": "dates-001", "answer": "From 2 February 2025 [1].", "citations": [{"n": 1, "reference": "Article 113(a)"}],
          "retrieved": [["AI Act", "Article 113(a)"]], "latency_ms": 12.0}


def test_timings_alone_do_not_count(tmp_path, capsys):
    a = _report(tmp_path / "a", [RECORD])
    b = _report(tmp_path / "b", [{**RECORD, "latency_ms": 30.5}])
    assert main([str(a), str(b / "report.json")]) == 0
    assert "1 records, identical" in capsys.readouterr().out


@pytest.mark.parametrize("change", [{"answer": "From 2 August 2025 [1]."},
                                    {"citations": [{"n": 1, "reference": "Article 113(b)"}]},
                                    {"id": "dates-002"}])
def test_a_changed_answer_or_case_is_named(tmp_path, capsys, change):
    a = _report(tmp_path / "a", [RECORD])
    b = _report(tmp_path / "b", [{**RECORD, **change}])
    assert main([str(a), str(b)]) == 1
    out = capsys.readouterr().out
    assert "1 differ" in out or "2 differ" in out
    assert "dates-00" in out


def test_a_missing_report_is_one_clear_line(tmp_path):
    with pytest.raises(SystemExit, match="run 'aiact eval --out DIR' first"):
        main([str(tmp_path / "nothing"), str(tmp_path / "nothing")])
