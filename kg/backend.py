"""Choose the store a command works on: the embedded Oxigraph store, or a remote SPARQL endpoint."""

from __future__ import annotations

import pyoxigraph as ox

from kg.paths import Paths
from kg.remote.endpoint import RemoteStore
from kg.store.generations import open_store

#: What the commands read from: both offer query, len, iteration over quads and named_graphs.
AnyStore = ox.Store | RemoteStore


def connect(paths: Paths) -> AnyStore:
    """The remote endpoint when ``paths.endpoint`` is set, otherwise the embedded store at ``paths.store``."""
    if paths.endpoint:
        return remote_store(paths)
    return open_store(paths.store)


def remote_store(paths: Paths) -> RemoteStore:
    """A :class:`RemoteStore` for the endpoint, update URL and credentials in *paths*."""
    assert paths.endpoint is not None
    return RemoteStore(
        paths.endpoint,
        update_endpoint=paths.update_endpoint,
        user=paths.user,
        password=paths.password,
    )
