"""Auto mode: the import hook, RUSTIFY_AUTO through the installed .pth, and `rustify run`.

Each test writes small real packages to a temporary directory; real builds
(eager mode compiles at the first call), real subprocesses.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import sysconfig
import warnings
from pathlib import Path

import pytest

import rustify
from rustify.config import reload_settings
from rustify.import_hook import hooked_packages, install_import_hook, uninstall_import_hook, wrapped_functions
from rustify.runtime.dispatch import Accelerated

KERNELS = '''
import math
from collections import OrderedDict

from {other}.helpers import helper_from_elsewhere

SCALE = 2.0


def dot(xs, ys):
    total = 0.0
    for i in range(len(xs)):
        total += xs[i] * ys[i]
    return total * SCALE


def norm(xs):
    total = 0.0
    for x in xs:
        total += x * x
    return math.sqrt(total)


def describe(xs):
    def count():  # a nested function: not translated
        return len(xs)
    return {{"n": count()}}


def count_up(n):
    for i in range(n):
        yield i


def with_star(*xs):
    return len(xs)


def make_adder(k):
    def add(x):
        return x + k
    return add


add_one = make_adder(1)


def tagged(x):
    return x


tagged.marker = True
alias_of_norm = norm


class Stats:
    @staticmethod
    def mean(xs):
        total = 0.0
        for x in xs:
            total += x
        return total / len(xs)

    def method(self, x):
        return x


class Plain:
    pass
'''

HELPERS = '''
def helper_from_elsewhere(x):
    return x + 1
'''

TEST_MODULE = '''
def test_something():
    assert True
'''

_names = itertools.count()


@pytest.fixture
def packages(tmp_path, monkeypatch):
    """Two fresh packages `<a>` (matched: `<a>.kernels`, `<a>.tests.test_k`) and `<b>`; cleans up after."""
    n = next(_names)
    a, b = f"autopkg_a{n}_{os.getpid()}", f"autopkg_b{n}_{os.getpid()}"
    for name in (a, b):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("")
        (tmp_path / name / "kernels.py").write_text(KERNELS.format(other=b))
        (tmp_path / name / "helpers.py").write_text(HELPERS)
        (tmp_path / name / "tests").mkdir()
        (tmp_path / name / "tests" / "__init__.py").write_text("")
        (tmp_path / name / "tests" / "test_k.py").write_text(TEST_MODULE + "\n" + HELPERS)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield a, b
    uninstall_import_hook()
    for mod in [m for m in sys.modules if m.split(".")[0] in (a, b)]:
        del sys.modules[mod]


@pytest.fixture
def eager(monkeypatch):
    monkeypatch.setenv("RUSTIFY_MODE", "eager")
    reload_settings()
    yield
    monkeypatch.delenv("RUSTIFY_MODE")
    reload_settings()


@pytest.fixture
def at_import(monkeypatch):
    """Profile mode without the ski rental: the hook wraps every function at import."""
    monkeypatch.setenv("RUSTIFY_SKI_RENTAL", "off")
    reload_settings()
    yield
    monkeypatch.delenv("RUSTIFY_SKI_RENTAL")
    reload_settings()


def _import(name):
    import importlib

    return importlib.import_module(name)


def test_hook_wraps_only_plain_functions_of_matched_packages(packages, at_import):
    a, b = packages
    install_import_hook([a])
    ka, kb = _import(f"{a}.kernels"), _import(f"{b}.kernels")
    assert isinstance(ka.dot, Accelerated) and isinstance(ka.norm, Accelerated)
    assert ka.dot.rustify.front_door == "auto"
    assert isinstance(ka.Stats.__dict__["mean"], staticmethod) and isinstance(ka.Stats.mean, Accelerated)
    assert ka.alias_of_norm is ka.norm  # one wrapper per function
    assert isinstance(ka.Stats.__dict__["method"], Accelerated) and ka.Stats().method(3) == 3  # binds self
    # never wrapped: other packages, generators, *args, closures, functions with attributes,
    # functions imported from elsewhere, test modules
    assert type(kb.dot).__name__ == "function"
    for name in ("count_up", "with_star", "add_one", "tagged", "helper_from_elsewhere"):
        assert type(getattr(ka, name)).__name__ == "function", name
    assert isinstance(_import(f"{a}.helpers").helper_from_elsewhere, Accelerated)
    assert ka.helper_from_elsewhere is _import(f"{b}.helpers").helper_from_elsewhere
    assert type(_import(f"{a}.tests.test_k").test_something).__name__ == "function"
    # the module keeps a loader of its own type: source and resources read as before
    assert type(ka.__loader__).__name__ == "SourceFileLoader"
    assert "def dot" in ka.__loader__.get_source(ka.__name__)
    # behaviour is unchanged (mode from settings: default profile, nothing compiles in one call)
    assert ka.describe([1.0]) == {"n": 1}
    assert list(ka.count_up(3)) == [0, 1, 2]


def test_install_is_idempotent_wraps_imported_modules_and_uninstall_restores(packages, at_import):
    a, _ = packages
    kernels = _import(f"{a}.kernels")
    original = kernels.dot
    install_import_hook(a)  # already imported: wrapped in place
    install_import_hook([a])
    assert sum(type(f).__name__ == "_AutoFinder" for f in sys.meta_path) == 1
    assert hooked_packages() == [a]
    assert isinstance(kernels.dot, Accelerated) and kernels.dot.__wrapped__ is original
    assert len([w for w in wrapped_functions() if w.__wrapped__ is original]) == 1
    uninstall_import_hook()
    assert kernels.dot is original and type(kernels.Stats.__dict__["mean"]) is staticmethod
    assert type(kernels.Stats.mean).__name__ == "function"
    assert not any(type(f).__name__ == "_AutoFinder" for f in sys.meta_path)


def test_auto_profile_mode_wraps_only_what_the_sampler_saw_costing_time(packages, tmp_path, monkeypatch):
    import time

    from rustify import import_hook

    a, _ = packages
    from rustify.build import costs

    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    monkeypatch.setenv("RUSTIFY_CACHE_DIR", str(cache))
    reload_settings()
    try:
        costs.record_build(0.1)  # builds are cheap here: wrapped after 0.05 s of sampled own time
        (tmp_path / a / "uses_dot.py").write_text("from .kernels import dot\n")
        install_import_hook([a])
        kernels, uses_dot = _import(f"{a}.kernels"), _import(f"{a}.uses_dot")
        original_dot, original_norm = kernels.dot, kernels.norm
        # watched, not wrapped: a call costs what a plain call costs
        assert type(kernels.dot).__name__ == "function" and type(kernels.Stats.mean).__name__ == "function"
        assert kernels.dot in import_hook.watched_functions() and wrapped_functions() == []
        xs = [float(i) for i in range(2000)]
        want = original_dot(xs, xs)
        threshold = import_hook._watcher.threshold_s()
        start = time.process_time()
        while isinstance(kernels.dot, type(original_dot)) and time.process_time() - start < 4 * threshold + 5:
            assert kernels.dot(xs, xs) == want
        assert isinstance(kernels.dot, Accelerated) and kernels.dot.__wrapped__ is original_dot
        assert kernels.alias_of_norm is original_norm  # never hot: still the plain function
        assert kernels.dot(xs, xs) == want
        assert kernels.dot in wrapped_functions() and original_dot not in import_hook.watched_functions()
        assert uses_dot.dot is kernels.dot  # imported by name before it was wrapped: rebound
        uninstall_import_hook()
        assert kernels.dot is original_dot and import_hook.watched_functions() == []
    finally:
        monkeypatch.delenv("RUSTIFY_CACHE_DIR")
        reload_settings()
        costs._expected_ns = None


def test_bad_package_names_are_refused():
    with pytest.raises(ValueError, match="not a package"):
        install_import_hook(["not a name"])
    with pytest.raises(ValueError, match="itself"):
        install_import_hook(["rustify.runtime"])
    with pytest.raises(TypeError):
        install_import_hook([3])


def test_eager_mode_runs_matched_functions_native_with_pythons_results(packages, eager):
    a, _ = packages
    rustify.install_import_hook([a])
    kernels = _import(f"{a}.kernels")
    xs, ys = [1.5, -2.0, 3.25], [0.5, 4.0, -1.0]
    assert kernels.dot(xs, ys) == kernels.dot.__wrapped__(xs, ys)
    assert kernels.dot.rustify.last_call == "native"
    assert kernels.dot.rustify.native_signatures == [("list[float]", "list[float]")]
    assert kernels.Stats.mean(xs) == kernels.Stats.mean.__wrapped__(xs)
    assert kernels.Stats.mean.rustify.last_call == "native"
    with pytest.raises(ZeroDivisionError):  # Python's exception, from native code
        kernels.Stats.mean([])
    assert kernels.Stats().method(2.5) == 2.5  # an instance method: `self` is an object argument
    assert kernels.Stats.__dict__["method"].rustify.last_call == "native"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert kernels.describe([1.0, 2.0]) == {"n": 2}  # untranslatable: stays Python
    assert kernels.describe.rustify.last_call == "python"


def _site_pth() -> Path:
    return Path(sysconfig.get_paths()["purelib"]) / "rustify-auto.pth"


def _env(tmp_path, **extra) -> dict:
    # the shared cache and its lock wait pass through: with the default 3 s wait, a build of the same
    # crate by another test process makes an eager first call run Python
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("RUSTIFY_") or k in ("RUSTIFY_CACHE_DIR", "RUSTIFY_LOCK_WAIT")}
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.update(extra)
    return env


PROBE = '''
import json, sys
import {a}.kernels as k, {b}.kernels as other
xs = [1.0, 2.0, 3.0]
value = k.norm(xs)
print(json.dumps({{"wrapped": type(k.norm).__name__, "other": type(other.norm).__name__,
                  "last_call": getattr(getattr(k.norm, "rustify", None), "last_call", None),
                  "same": value == k.norm.__wrapped__(xs) if hasattr(k.norm, "__wrapped__") else None,
                  "rustify_imported": "rustify" in sys.modules}}))
'''


def test_rustify_auto_environment_variable_through_the_installed_pth(packages, tmp_path):
    a, b = packages
    pth = _site_pth()
    assert pth.is_file(), f"{pth} is missing: reinstall rustify (pip install -e .) so the .pth file is installed"
    (tmp_path / "probe.py").write_text(PROBE.format(a=a, b=b))
    run = subprocess.run([sys.executable, "probe.py"], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                         env=_env(tmp_path, RUSTIFY_AUTO=a, RUSTIFY_MODE="eager"))
    assert run.returncode == 0, run.stderr
    got = json.loads(run.stdout)
    assert got == {"wrapped": "Accelerated", "other": "function", "last_call": "native", "same": True,
                   "rustify_imported": True}
    # without RUSTIFY_AUTO the .pth imports nothing of rustify
    run = subprocess.run([sys.executable, "probe.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                         env=_env(tmp_path))
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["rustify_imported"] is False
    # a bad setting is reported in one line and the program still runs
    run = subprocess.run([sys.executable, "probe.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                         env=_env(tmp_path, RUSTIFY_AUTO=a, RUSTIFY_MODE="fast"))
    assert run.returncode == 0 and "RUSTIFY_AUTO ignored" in run.stderr
    assert json.loads(run.stdout)["wrapped"] == "function"


ARGV_SCRIPT = '''
import json, sys
import {a}.kernels as k
print(json.dumps({{"argv": sys.argv[1:], "name": __name__, "wrapped": type(k.norm).__name__,
                  "norm": k.norm([3.0, 4.0])}}))
sys.exit(int(sys.argv[1]))
'''


def _rustify_run(tmp_path, *args, **env):
    return subprocess.run([sys.executable, "-m", "rustify", "run", *args], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300, env=_env(tmp_path, **env))


def test_run_script_and_module_pass_argv_and_exit_code(packages, tmp_path):
    a, _ = packages
    (tmp_path / "argv_script.py").write_text(ARGV_SCRIPT.format(a=a))
    (tmp_path / "argv_mod.py").write_text(ARGV_SCRIPT.format(a=a))
    for target in (["argv_script.py"], ["-m", "argv_mod"]):
        run = _rustify_run(tmp_path, "--auto", a, "--mode", "eager", "--summary", *target, "3", "-x", "--auto", "q")
        assert run.returncode == 3, run.stderr
        got = json.loads(run.stdout)
        assert got == {"argv": ["3", "-x", "--auto", "q"], "name": "__main__", "wrapped": "Accelerated",
                       "norm": 5.0}
        assert f"native  {a}.kernels.norm(list[float])" in run.stderr
    run = _rustify_run(tmp_path, "--auto", a, "-m", "argv_mod", "0")
    assert run.returncode == 0 and "summary" not in run.stderr
    assert _rustify_run(tmp_path, "--auto", a, "-m", "no_such_module_here").returncode == 1
    assert _rustify_run(tmp_path, "--auto", a, "missing.py").returncode == 2
    assert _rustify_run(tmp_path, "argv_script.py").returncode == 2  # no package named anywhere


def test_run_propagates_the_scripts_exception(packages, tmp_path, monkeypatch):
    a, _ = packages
    (tmp_path / "boom.py").write_text("import sys\nraise KeyError(sys.argv[1])\n")
    run = _rustify_run(tmp_path, "--auto", a, "boom.py", "why")
    assert run.returncode == 1
    assert run.stderr.strip().splitlines()[-1] == "KeyError: 'why'"
    # in process: the exception itself reaches the caller
    from rustify.cli import main

    monkeypatch.setattr(sys, "argv", list(sys.argv))
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.setenv("RUSTIFY_AUTO", "")
    with pytest.raises(KeyError, match="why"):
        main(["run", "--auto", a, str(tmp_path / "boom.py"), "why"])


# Behaviour the wrapper itself must preserve for auto mode to be invisible.

def test_auto_mode_fall_back_is_silent_under_warnings_as_errors(packages, eager):
    a, _ = packages
    install_import_hook([a])
    kernels = _import(f"{a}.kernels")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert kernels.describe([1.0]) == {"n": 1}


def test_wrapped_functions_pickle_and_copy_like_functions(packages, at_import):
    import copy
    import pickle

    a, _ = packages
    install_import_hook([a])
    kernels = _import(f"{a}.kernels")
    assert pickle.loads(pickle.dumps(kernels.dot)) is kernels.dot
    assert pickle.loads(pickle.dumps(kernels.Stats.mean)) is kernels.Stats.mean
    assert copy.deepcopy(kernels.dot) is kernels.dot


FORK_PROBE = '''
import os, signal
from rustify import import_hook
assert import_hook._watcher.start()
pid = os.fork()
if pid == 0:
    os._exit(0 if signal.getitimer(signal.ITIMER_PROF)[1] > 0 else 3)
_, status = os.waitpid(pid, 0)
print(os.waitstatus_to_exitcode(status), signal.getitimer(signal.ITIMER_PROF)[1] > 0)
'''


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_the_watchers_timer_runs_on_in_a_forked_child_and_stops_at_exit(tmp_path):
    (tmp_path / "probe.py").write_text(FORK_PROBE)
    run = subprocess.run([sys.executable, "probe.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                         env=_env(tmp_path))
    assert run.returncode == 0, run.stderr  # not killed by SIGPROF at exit
    assert run.stdout.split() == ["0", "True"]
