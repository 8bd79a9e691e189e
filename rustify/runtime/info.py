"""`AccelerationInfo`: the one object that tells what rustify did with a function.

Hung on every accelerated function as `f.rustify`:

- `native_signatures`: signatures that run native code
- `last_call`: "native" or "python" (None before the first call); `last_reason`
  says why the last call ran Python
- `reasons`: signature -> why it stays Python (`explain()` prints them all)
- `rust_source(signature=None)`: the generated Rust
- `compile_seconds`, `cache_hits`, `deopts`: what compiling cost and how often
  native code handed a call back to Python
"""

from __future__ import annotations

import types


class AccelerationInfo:
    def __init__(self, func: types.FunctionType):
        self.function = f"{func.__module__}.{func.__qualname__}"
        self._last: tuple | None = None  # (signature, ran native, reason it ran Python)
        self.reasons: dict[tuple, str] = {}
        self.reason_records: dict[tuple, list] = {}
        self.compile_seconds: dict[tuple, float] = {}
        self.cache_hits: dict[tuple, bool] = {}
        self.deopts: dict[tuple, int] = {}
        self.native_calls: dict[tuple, int] = {}
        self._natives: dict[tuple, object] = {}

    @property
    def last_call(self) -> str | None:
        """"native" or "python" for the last call; None before the first."""
        return None if self._last is None else ("native" if self._last[1] else "python")

    @property
    def last_signature(self) -> tuple | None:
        return None if self._last is None else self._last[0]

    @property
    def last_reason(self) -> str | None:
        """Why the last call ran Python (None if it ran native)."""
        if self._last is None or self._last[1]:
            return None
        sig, _, reason = self._last
        return reason or self.reasons.get(sig, "not compiled for this signature (yet)")

    # The dispatcher reports each call here; kept to one store on the hot path.
    def _ran_native(self, sig: tuple) -> None:
        self._last = (sig, True, None)
        calls = self.native_calls
        calls[sig] = calls.get(sig, 0) + 1

    def _ran_python(self, sig: tuple | None, reason: str | None = None) -> None:
        self._last = (sig, False, reason)

    @property
    def native_signatures(self) -> list[tuple]:
        return list(self._natives)

    def rust_source(self, signature: tuple | None = None) -> str:
        """Generated Rust for `signature` (default: the only or first native one)."""
        if signature is None:
            if not self._natives:
                raise LookupError(f"{self.function} has no native signature")
            signature = next(iter(self._natives))
        return self._natives[signature].rust_source_path.read_text()

    def explain(self) -> str:
        """Plain-language account: each signature, native or Python, and why."""
        lines = [f"{self.function}:"]
        for sig, native in self._natives.items():
            how = "cache hit" if native.cache_hit else "compiled"
            lines.append(f"  {_sig(sig)}: native ({how} in {native.seconds:.2f} s, module {native.module_name})")
        for sig, why in self.reasons.items():
            lines.append(f"  {_sig(sig)}: stays Python: {why}")
        if len(lines) == 1:
            lines.append("  not compiled yet (no call has reached the compile policy)")
        return "\n".join(lines)

    def _add_native(self, native) -> None:
        self._natives[native.signature] = native
        self.compile_seconds[native.signature] = native.seconds
        self.cache_hits[native.signature] = native.cache_hit

    def _add_failure(self, signature: tuple, why: str, reasons=None) -> None:
        self.reasons[signature] = why
        if reasons:
            self.reason_records[signature] = list(reasons)

    def __repr__(self) -> str:
        return f"<AccelerationInfo {self.explain()}>"


def _sig(sig: tuple) -> str:
    return "(" + ", ".join(sig) + ")"
