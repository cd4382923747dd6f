"""The installed distribution puts nothing generic at the top level of the user's environment."""
import subprocess
import sys

import pytest

GENERIC = ("index", "ui", "corpus", "evals", "benchmarks")


@pytest.mark.parametrize("name", GENERIC)
def test_generic_names_are_not_installed(name, tmp_path):
    # Run outside the checkout so the working directory cannot supply the folder.
    code = f"import importlib.util, sys; sys.exit(0 if importlib.util.find_spec({name!r}) is None else 1)"
    assert subprocess.run([sys.executable, "-c", code], cwd=tmp_path).returncode == 0


def test_project_packages_live_under_one_namespace(tmp_path):
    code = "; ".join(f"import aiact.{name}" for name in GENERIC) + "; import assistant"
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
