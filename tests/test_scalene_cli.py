"""`rustify profile script.py`: scalene in a real subprocess, the signature run, and --write-config."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from rustify.cli import main
from rustify.cli.profile import ConfigUpdateError, update_auto_config
from rustify.config import load_settings
from rustify.profiling.candidates import Candidate
from rustify.profiling.scalene import module_name_for, read_profile, run_signature_pass

KERNELS = textwrap.dedent("""\
    def sum_squares(xs):
        total = 0.0
        for i in range(len(xs)):
            total += xs[i] * xs[i]
        return total


    def describe(values):
        parts = []
        for v in values:
            parts.append(str(v).center(8))
        return ",".join(parts)


    def never_called(xs):
        return len(xs)
""")

APP = textwrap.dedent("""\
    import sys

    from kernels import describe, sum_squares


    def main(n):
        xs = [float(i) / n for i in range(n)]
        s = 0.0
        for _ in range(40):
            s += sum_squares(xs)
        for _ in range(3):
            text = describe(xs)
        print("result", s, len(text))


    if __name__ == "__main__":
        main(int(sys.argv[1]))
""")

PYPROJECT = '[project]\nname = "demo"  # keep this comment\n\n[tool.other]\nx = 1\n'


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "kernels.py").write_text(KERNELS)
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    return tmp_path


def test_profile_ranks_verdicts_and_writes_config(project: Path):
    proc = subprocess.run(
        [sys.executable, "-m", "rustify", "profile", "--keep-json", "prof.json", "--write-config", "pyproject.toml",
         "app.py", "200000"],
        cwd=project, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "result 2666646.66" in out  # the script's own output is passed through
    assert "scalene view" not in out + proc.stderr  # scalene's note about its temporary file is not
    rows = {line.split()[1]: line for line in out.splitlines() if line[:1].isdigit()}
    assert "translates for (list[float])" in rows["kernels.sum_squares"]
    assert "stays Python" in rows["kernels.describe"] and "the method `center` of str is not translated" in out

    # The candidates come from scalene's own numbers: share of samples x elapsed time.
    data = json.loads((project / "prof.json").read_text())
    elapsed, candidates = read_profile(project / "prof.json", project / "app.py")
    assert elapsed == data["elapsed_time_sec"]
    by_name = {c.function: c for c in candidates}
    scalene_fn = {f["line"]: f for f in data["files"][str(project / "kernels.py")]["functions"]}
    for name in ("sum_squares", "describe"):
        c = by_name["kernels." + name]
        assert c.interpreted_seconds > 0 and c.samples > 0
        assert c.interpreted_seconds == pytest.approx(scalene_fn[name]["n_cpu_percent_python"] / 100 * elapsed)
        assert c.native_seconds == pytest.approx(scalene_fn[name]["n_cpu_percent_c"] / 100 * elapsed)
    assert by_name["kernels.sum_squares"].line == 1 and by_name["kernels.describe"].line == 8
    assert [c.interpreted_seconds for c in candidates] == sorted((c.interpreted_seconds for c in candidates), reverse=True)

    # Only the translatable module goes into auto; the rest of the file is untouched.
    text = (project / "pyproject.toml").read_text()
    assert text.startswith(PYPROJECT)
    assert text[len(PYPROJECT):] == '\n[tool.rustify]\nauto = ["kernels"]\n'
    assert load_settings(env={}, pyproject=project / "pyproject.toml").auto == ("kernels",)


def test_signature_run_records_signatures_and_says_when_unknown(project: Path, tmp_path_factory):
    kernels = str(project / "kernels.py")
    cands = [Candidate(f"kernels.{name}", kernels, line, 1.0) for name, line in
             (("sum_squares", 1), ("describe", 8), ("never_called", 15), ("missing", 1))]
    notes = run_signature_pass(project / "app.py", ["2000"], cands, cwd=project,
                               workdir=tmp_path_factory.mktemp("work"))
    squares, describe, never, missing = cands
    assert squares.signatures == [("list[float]",)] and squares.reasons == []
    assert describe.signatures == [("list[float]",)] and describe.reasons
    assert never.reasons is None and "signature unknown" in notes[never.function]
    assert missing.reasons is None and "not found" in notes[missing.function]
    assert set(notes) == {never.function, missing.function}


def test_signature_run_of_functions_in_the_script_itself(tmp_path: Path):
    (tmp_path / "script.py").write_text(textwrap.dedent("""\
        class Scaler:
            def scale(self, xs, k):
                return [x * k for x in xs]

        def mean(xs):
            s = 0.0
            for x in xs:
                s += x
            return s / len(xs)

        mean([1.0, 2.0]); mean([1, 2]); mean([3, 4])
        Scaler().scale([1.0], 2.0)
        raise SystemExit(3)
    """))
    script = str(tmp_path / "script.py")
    cands = [Candidate("script.mean", script, 5, 1.0), Candidate("script.Scaler.scale", script, 2, 1.0)]
    notes = run_signature_pass(tmp_path / "script.py", [], cands, cwd=tmp_path, workdir=tmp_path)
    mean, scale = cands
    assert notes == {}
    assert mean.signatures == [("list[int]",), ("list[float]",)]  # most called first
    assert mean.reasons == []
    assert scale.signatures == [("obj[__main__:Scaler]", "list[float]", "float")]


def test_module_names_follow_packages(tmp_path: Path):
    pkg = tmp_path / "pkg" / "sub"
    pkg.mkdir(parents=True)
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "mod.py").write_text("")
    assert module_name_for(pkg / "mod.py") == "pkg.sub.mod"
    assert module_name_for(tmp_path / "app.py") == "app"


def test_missing_script_is_a_clear_error(tmp_path: Path, capsys):
    assert main(["profile", str(tmp_path / "nope.py")]) == 2
    assert "no such script" in capsys.readouterr().err
    assert "scalene" not in sys.modules  # never imported into rustify's process


def test_update_creates_file_and_table(tmp_path: Path):
    path = tmp_path / "pyproject.toml"
    assert update_auto_config(path, ["a.b"]) == ["a.b"]
    assert path.read_text() == '[tool.rustify]\nauto = ["a.b"]\n'
    assert update_auto_config(path, ["a.b"]) == []


def test_update_replaces_only_the_auto_value(tmp_path: Path):
    path = tmp_path / "pyproject.toml"
    before = '[project]\r\nname = "x"\r\n\r\n[tool.rustify]  # ours\r\nmode = "eager"\r\nauto = [\r\n  "old",\r\n]\r\n\r\n[tool.z]\r\nk = 1\r\n'
    path.write_bytes(before.encode())
    assert update_auto_config(path, ["new", "old"]) == ["new"]
    after = path.read_bytes().decode()
    assert after == before.replace('auto = [\r\n  "old",\r\n]\r\n', 'auto = ["old", "new"]\r\n')
    assert load_settings(env={}, pyproject=path).auto == ("old", "new")


def test_update_adds_auto_under_an_existing_header(tmp_path: Path):
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool.rustify]\nmode = "off"\n')
    update_auto_config(path, ["m"])
    assert path.read_text() == '[tool.rustify]\nauto = ["m"]\nmode = "off"\n'


@pytest.mark.parametrize("text, why", [
    ('[tool]\nrustify.mode = "eager"\n', "cannot safely update"),
    ('tool = { rustify = { mode = "eager" } }\n', "cannot safely update"),
    ('[tool.rustify]\nauto = 3\n', "not a list of module names"),
    ('[tool.rustify\nauto = 3\n', "not valid TOML"),
])
def test_update_refuses_what_it_cannot_edit_safely(tmp_path: Path, text: str, why: str):
    path = tmp_path / "pyproject.toml"
    path.write_text(text)
    with pytest.raises(ConfigUpdateError, match=why):
        update_auto_config(path, ["m"])
    assert path.read_text() == text
