"""rustify's settings: defaults < `[tool.rustify]` in pyproject.toml < `RUSTIFY_*` env.

`settings()` returns the process-wide `Settings` (read once, `reload_settings()`
reads again); a decorator's keyword arguments override it per function.

| setting        | env                   | default   | meaning |
|----------------|-----------------------|-----------|---------|
| mode           | RUSTIFY_MODE          | "profile" | profile: compile once hot; eager: at the first call; off: never |
| threshold_ms   | RUSTIFY_THRESHOLD_MS  | 20.0      | a signature is hot once its estimated Python time passes this |
| min_calls      | RUSTIFY_MIN_CALLS     | 2         | ... and it has been called at least this often |
| background     | RUSTIFY_BACKGROUND    | true      | compile in a background thread (callers never wait) |
| validate       | RUSTIFY_VALIDATE      | 0         | shadow-run Python beside the first N native calls per signature |
| cache_dir      | RUSTIFY_CACHE_DIR     | user cache| where crates, artifacts and run records live |
| auto           | RUSTIFY_AUTO          | ()        | packages the import hook wraps (comma separated) |
| record         | RUSTIFY_RECORD        | true      | write a run record at exit (for `rustify report`) |
| lock_wait      | RUSTIFY_LOCK_WAIT     | 3.0       | seconds a caller's compile waits for another process's build |
| ski_rental     | RUSTIFY_SKI_RENTAL    | "auto"    | profile mode: build once Python time passed a build's cost |
|                |                       |           | (on, off; auto: on for the import hook's wrappers)           |
"""

from __future__ import annotations

import dataclasses
import functools
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

MODES = ("profile", "eager", "off")
SKI_RENTAL = ("auto", "on", "off")


@dataclass(frozen=True)
class Settings:
    mode: str = "profile"
    threshold_ms: float = 20.0
    min_calls: int = 2
    background: bool = True
    validate: int = 0
    cache_dir: Path | None = None  # None: the user cache dir
    auto: tuple[str, ...] = ()
    record: bool = True
    lock_wait: float = 3.0  # seconds a compile in a caller's thread waits for another process's build
    ski_rental: str = "auto"  # see runtime.dispatch.CompilePolicy.ski_rental; auto: on for front door "auto"
    source: dict = field(default_factory=dict, compare=False)  # setting -> where its value came from

    def replace(self, **changes) -> "Settings":
        """A copy with `changes` (None values ignored), validated."""
        changes = {k: v for k, v in changes.items() if v is not None}
        new = dataclasses.replace(self, **changes)
        _check(new)
        return new


def _check(s: Settings) -> None:
    def where(key: str) -> str:
        return f" (from {s.source[key]})" if key in s.source else ""

    if s.mode not in MODES:
        raise ValueError(f"rustify mode must be one of {', '.join(MODES)}, not {s.mode!r}{where('mode')}")
    if s.ski_rental not in SKI_RENTAL:
        raise ValueError(f"rustify ski_rental must be one of {', '.join(SKI_RENTAL)}, not {s.ski_rental!r}"
                         f"{where('ski_rental')}")
    for key, low in (("threshold_ms", 0), ("min_calls", 1), ("validate", 0), ("lock_wait", 0)):
        if getattr(s, key) < low:
            raise ValueError(f"rustify {key} must be >= {low}, not {getattr(s, key)!r}{where(key)}")


def _as_bool(text: str | bool) -> bool:
    if isinstance(text, bool):
        return text
    value = str(text).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"expected a boolean (1/0, true/false), got {text!r}")


def _as_auto(value) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split(",")
    return tuple(p.strip() for p in value if p.strip())


_CONVERT = {
    "mode": lambda v: str(v).strip().lower(),
    "threshold_ms": float,
    "min_calls": int,
    "background": _as_bool,
    "validate": int,
    "cache_dir": lambda v: Path(str(v)).expanduser(),
    "auto": _as_auto,
    "record": _as_bool,
    "lock_wait": float,
    "ski_rental": lambda v: {"1": "on", "true": "on", "yes": "on", "0": "off", "false": "off", "no": "off"}.get(
        str(v).strip().lower(), str(v).strip().lower()),
}


def find_pyproject(start: Path | None = None) -> Path | None:
    """The nearest pyproject.toml at or above `start` (default: the working dir)."""
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        candidate = d / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def _from_pyproject(path: Path | None) -> dict:
    if path is None:
        return {}
    import tomllib

    try:
        table = tomllib.loads(path.read_text()).get("tool", {}).get("rustify", {})
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    return {k.replace("-", "_"): v for k, v in table.items()}


def load_settings(env: dict | None = None, pyproject: Path | None = None) -> Settings:
    """Settings from defaults, then `[tool.rustify]`, then the environment.

    Raises ValueError naming the setting when a value cannot be read.
    """
    env = os.environ if env is None else env
    values: dict = {}
    source: dict = {}
    path = pyproject if pyproject is not None else find_pyproject()
    for key, raw in _from_pyproject(path).items():
        if key not in _CONVERT:
            raise ValueError(f"unknown setting {key!r} in [tool.rustify] of {path}")
        values[key], source[key] = _convert(key, raw, f"[tool.rustify] in {path}"), str(path)
    for key in _CONVERT:
        raw = env.get("RUSTIFY_" + key.upper())
        if raw is not None:
            values[key], source[key] = _convert(key, raw, "RUSTIFY_" + key.upper()), "RUSTIFY_" + key.upper()
    s = Settings(**values, source=source)
    _check(s)
    return s


def _convert(key: str, raw, where: str):
    try:
        return _CONVERT[key](raw)
    except (TypeError, ValueError) as e:
        raise ValueError(f"rustify setting {key} from {where}: {e}") from None


@functools.lru_cache(maxsize=1)
def settings() -> Settings:
    """The process-wide settings (read once)."""
    return load_settings()


def reload_settings() -> Settings:
    settings.cache_clear()
    return settings()


def cache_dir() -> Path:
    """The root of rustify's on-disk cache (created 0700 on demand by the build stage,
    which refuses it if another user owns it or could write it).

    Read from the environment at each call, so a test or a tool can point it
    elsewhere without reloading the settings.
    """
    env = os.environ.get("RUSTIFY_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    configured = settings().cache_dir
    if configured is not None:
        return configured
    if sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    elif os.name == "nt":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "rustify"
