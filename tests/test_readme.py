"""The README's Python example runs as written."""
from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def test_readme_python_example_runs(real_assistant, real_settings, monkeypatch, capsys):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Python API"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert len(code.strip().splitlines()) <= 6
    monkeypatch.setenv("AIACT_HOME", str(real_settings.home))
    exec(compile(code, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "[1]" in out and re.search(r"prohibited|high-risk|limited|minimal", out)
