"""The Dask front door: ship built natives to every worker of a cluster.

    from rustify.distributed import ShipArtifacts

    kernel([1.0, 2.0])                              # built here (or found in the cache)
    client.register_plugin(ShipArtifacts([kernel]))
    client.map(kernel, chunks)                      # workers run native, without building

Each worker, including ones that join later, installs the verified artifacts
into its own cache and hands each wrapper its native, if its own copy of the
function has the same source, globals and signature (`rustify.runtime.ship`);
otherwise that function runs there as it would have. Workers need no Rust
toolchain. This module imports `distributed`; rustify itself never does.
"""

from __future__ import annotations

import hashlib

from distributed.diagnostics.plugin import WorkerPlugin

from rustify.runtime.ship import Adoption, ShippedArtifact, pack, receive

__all__ = ["ShipArtifacts"]


class ShipArtifacts(WorkerPlugin):
    """A worker plugin carrying the natives of `functions`, packed when it is created.

    On each worker, `adoptions` lists what happened to every artifact
    (`dask_worker.plugins[plugin.name].adoptions`).
    """

    def __init__(self, functions):
        functions = list(functions)
        self.artifacts: list[ShippedArtifact] = pack(functions)
        shipped = {(a.module, a.qualname) for a in self.artifacts}
        empty = [f.__qualname__ for f in functions if (f.__module__, f.__qualname__) not in shipped]
        if empty:
            raise ValueError(f"nothing native to ship for {', '.join(empty)}: call it first (or accelerate it "
                             "with eager=True) so that a signature is compiled here")
        names = "\0".join(sorted(a.module_name for a in self.artifacts))
        self.name = "rustify-ship-" + hashlib.sha256(names.encode()).hexdigest()[:12]
        self.adoptions: list[Adoption] = []

    def setup(self, worker):
        self.adoptions = receive(self.artifacts)
