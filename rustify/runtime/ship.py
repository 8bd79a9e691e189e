"""Ship built natives to processes that cannot (or should not) build them.

A worker on another machine, or one without a Rust toolchain, gets the
extension modules some other process built, instead of building its own:

    artifacts = pack([f, g])     # where they were built: verified bytes + what they were built from
    receive(artifacts)           # in the worker: install, verify, hand each wrapper its native

`pack` takes every native signature of each accelerated function: the
extension's bytes (checked against the digest recorded when it was built),
its module name, and the *build key* it was made for. The build key hashes
everything the generated code depends on except the toolchain that built it:
the function's source fingerprint (its AST and the values of the globals it
reads), the signature, the rustify version, the Python ABI, the templates and
the crate versions. The cache's own crate name cannot be used for matching:
it also covers the toolchain, which is `no-rustc` on a machine without one.

`receive` finds each function where the sender had it (module and qualname,
importing the module if needed), recomputes the build key from the *receiving*
process's own source and globals, and adopts the native only if the keys are
equal; the bytes are installed into this process's cache only after their
digest checks. Anything else is refused with a reason and the function keeps
running as it would have (Python, or its own build): a module that reads a
different constant here gets Python's answer, never the sender's frozen one.

Plain stdlib, pickles with any pickler: `rustify.distributed.ShipArtifacts`
is the Dask front door; `receive` also works as a `ProcessPoolExecutor`
initializer (`initializer=receive, initargs=(pack([f]),)`).
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import types
from dataclasses import dataclass

from rustify.pipeline import build_key

log = logging.getLogger("rustify")


@dataclass(frozen=True)
class ShippedArtifact:
    """One native specialization on its way to another process."""

    module: str  # where the function lives: `module` + `qualname`
    qualname: str
    front_door: str  # "decorator", "profile" or "auto" (auto: the receiver wraps the plain function)
    signature: tuple[str, ...]
    build_key: str  # see `build_key()`: what the native was built from, toolchain aside
    module_name: str  # the extension's `#[pymodule]` name (the sender's crate name)
    digest: str  # sha256 of `data`
    data: bytes  # the extension module itself

    def __repr__(self) -> str:  # the bytes are not worth printing
        return (f"ShippedArtifact({self.module}.{self.qualname}{_sig_text(self.signature)}, "
                f"{self.module_name}, {len(self.data)} bytes)")


@dataclass(frozen=True)
class Adoption:
    """What `receive` did with one shipped artifact: `adopted`, or the reason it was refused."""

    function: str
    signature: tuple[str, ...]
    adopted: bool
    reason: str | None = None


def pack(functions) -> list[ShippedArtifact]:
    """The natives of `functions` (accelerated wrappers), ready to pickle to another process.

    Raises ValueError for something that is not an accelerated function, and
    for a native whose file no longer matches the digest recorded at build time.
    A function with no native signature contributes nothing.
    """
    from rustify.analysis.source import load_source

    shipped = []
    for func in functions:
        info = getattr(func, "rustify", None)
        original = getattr(func, "__wrapped__", None)
        if info is None or not isinstance(original, types.FunctionType):
            raise ValueError(f"{func!r} is not an accelerated function (wrap it with rustify.accelerate)")
        src = load_source(original)
        for sig in info.native_signatures:
            native = info._natives[sig]
            data = native.path.read_bytes()  # hashed as read: what ships is what was checked
            digest = hashlib.sha256(data).hexdigest()
            if _recorded_digest(native.path) != digest:
                raise ValueError(f"{native.path} does not match the digest recorded when it was built; "
                                 "refusing to ship it")
            shipped.append(ShippedArtifact(original.__module__, original.__qualname__, info.front_door, sig,
                                           build_key(original, sig, src), native.module_name, digest, data))
    return shipped


def receive(artifacts) -> list[Adoption]:
    """Install `artifacts` (from `pack`) and hand each matching wrapper its native.

    Never raises for a refused artifact: the function keeps running as before,
    and the returned `Adoption` (also logged) says why.
    """
    results = []
    for artifact in artifacts:
        try:
            reason = _adopt(artifact)
        except Exception as e:  # noqa: BLE001 - a worker must start even if shipping fails
            reason = f"rustify failed internally ({type(e).__name__}: {e}); please report this"
        name = f"{artifact.module}.{artifact.qualname}"
        if reason is not None:
            log.info("rustify: shipped native %s%s refused: %s", name, _sig_text(artifact.signature), reason)
        results.append(Adoption(name, artifact.signature, reason is None, reason))
    return results


def _adopt(artifact: ShippedArtifact) -> str | None:
    """Adopt one artifact; None on success, else why not."""
    from rustify.analysis.source import global_guards, load_source
    from rustify.build.cache import install_artifact_bytes
    from rustify.pipeline import NativeFunction
    from rustify.runtime.loader import load_extension

    if hashlib.sha256(artifact.data).hexdigest() != artifact.digest:
        return "its bytes do not match their digest (damaged on the way)"
    wrapper = _find_wrapper(artifact)
    if isinstance(wrapper, str):
        return wrapper
    if artifact.signature in wrapper.rustify.native_signatures:
        return None  # native here already (built or adopted before)
    original = wrapper.__wrapped__
    src = load_source(original)
    if build_key(original, artifact.signature, src) != artifact.build_key:
        return ("it was built from something else: the function's source, the globals it reads, rustify "
                "or the Python ABI differ in this process")
    path = install_artifact_bytes(artifact.module_name, artifact.data, artifact.digest)
    module = load_extension(path, artifact.module_name)
    native = NativeFunction(artifact.signature, module.entry, artifact.module_name, path, True, 0.0,
                            global_guards(original, src))
    if not wrapper.adopt_native(native):
        return "this signature already has a verdict in this process"
    return None


def _find_wrapper(artifact: ShippedArtifact):
    """The receiving process's wrapper for the artifact's function, or why there is none."""
    from rustify.runtime.dispatch import Accelerated

    try:
        owner = importlib.import_module(artifact.module)
    except Exception as e:  # noqa: BLE001 - any import error means "not here"
        return f"its module {artifact.module} cannot be imported here ({type(e).__name__}: {e})"
    target = owner
    for part in artifact.qualname.split("."):
        target = getattr(target, part, None)
    if isinstance(target, types.FunctionType) and artifact.front_door == "auto":
        from rustify.import_hook import install_import_hook

        install_import_hook([artifact.module])  # the sender ran it in auto mode: so does this process
        target = owner
        for part in artifact.qualname.split("."):
            target = getattr(target, part, None)
    if not isinstance(target, Accelerated):
        return f"{artifact.module}.{artifact.qualname} is not an accelerated function in this process"
    return target


def _recorded_digest(path) -> str | None:
    """The digest recorded for `path` when it was built (its sidecar), or None."""
    from rustify.build.cache import digest_path

    try:
        return digest_path(path).read_text(encoding="ascii").strip() or None
    except (OSError, UnicodeDecodeError):
        return None


def _sig_text(sig: tuple) -> str:
    return "(" + ", ".join(sig) + ")"
