"""Where a command's data lives, behind one interface: the embedded Oxigraph store, or a remote SPARQL endpoint.

:func:`backend_for` chooses once, from :class:`~kg.paths.Paths` (``paths.endpoint`` set: remote), and the rest
of ``kg`` asks the :class:`Backend` it returns to build (:mod:`kg.store.build` for the embedded store,
:mod:`kg.remote.build` for an endpoint), to connect for reading, or to say where it points. Both stores offer
what readers use (``query``, ``len``, iteration over quads, ``named_graphs``, ``quads_for_pattern``):
:data:`AnyStore`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import pyoxigraph as ox

from kg.errors import EndpointError
from kg.paths import Paths
from kg.remote.endpoint import RemoteStore
from kg.store.generations import open_store

if TYPE_CHECKING:
    from kg.store.build import BuildReport

#: What the commands read from: both offer query, len, iteration over quads and named_graphs.
AnyStore = ox.Store | RemoteStore


class Backend(Protocol):
    """A place the project's data is built into and read from."""

    def build(self, *, full: bool = False) -> BuildReport:
        """Check the data and load what changed since the last build (everything when *full*); nothing on error."""
        ...

    def connect(self) -> AnyStore:
        """The store to read from."""
        ...

    def describe(self) -> str:
        """Where the data goes and is read from: the store folder or the endpoint URL."""
        ...


class EmbeddedBackend:
    """The embedded Oxigraph store in ``paths.store`` (generations, a ``CURRENT`` pointer, a write lock)."""

    def __init__(self, paths: Paths) -> None:
        self.paths = paths

    def build(self, *, full: bool = False) -> BuildReport:
        """:func:`kg.store.build.build_embedded`."""
        from kg.store.build import build_embedded  # the build pulls in the SHACL engine: only when building

        return build_embedded(self.paths, full=full)

    def connect(self) -> ox.Store:
        """The live generation, open for reading."""
        return open_store(self.paths.store)

    def describe(self) -> str:
        """The store folder."""
        return str(self.paths.store)


class RemoteBackend:
    """A SPARQL 1.1 endpoint (``paths.endpoint``), written through its update URL with the credentials of *paths*."""

    def __init__(self, paths: Paths) -> None:
        if not paths.endpoint:
            raise EndpointError("No SPARQL endpoint given: pass --endpoint URL (or KG_ENDPOINT).")
        self.paths = paths
        self.endpoint = paths.endpoint

    def build(self, *, full: bool = False) -> BuildReport:
        """:func:`kg.remote.build.build_remote`."""
        from kg.remote.build import build_remote

        return build_remote(self.paths, self.connect(), full=full)

    def connect(self) -> RemoteStore:
        """A :class:`RemoteStore` for the endpoint, update URL and credentials in *paths*."""
        return RemoteStore(
            self.endpoint,
            update_endpoint=self.paths.update_endpoint,
            user=self.paths.user,
            password=self.paths.password,
        )

    def describe(self) -> str:
        """The endpoint URL."""
        return self.endpoint


def backend_for(paths: Paths) -> Backend:
    """The remote backend when ``paths.endpoint`` is set, otherwise the embedded store at ``paths.store``."""
    if paths.endpoint:
        return RemoteBackend(paths)
    return EmbeddedBackend(paths)


def connect(paths: Paths) -> AnyStore:
    """The store the commands read: the endpoint when ``paths.endpoint`` is set, else the embedded store."""
    return backend_for(paths).connect()


def remote_store(paths: Paths) -> RemoteStore:
    """A :class:`RemoteStore` for the endpoint, update URL and credentials in *paths* (which must name one)."""
    return RemoteBackend(paths).connect()


def build(paths: Paths, *, full: bool = False) -> BuildReport:
    """Parse, check and load the project's data; nothing is loaded on error (``kg build``, ``kg.build``).

    Only the graphs whose files changed since the last build are checked and reloaded, unless *full*.
    With ``paths.endpoint`` set the data goes to that SPARQL endpoint instead of the embedded store.
    """
    return backend_for(paths).build(full=full)
