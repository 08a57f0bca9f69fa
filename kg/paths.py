"""Where the project's files and the store live: one dataclass, built once by the CLI and passed down."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: Name of the store folder inside the project when none is given (git ignores it).
DEFAULT_STORE = Path(".kg") / "store"


@dataclass(frozen=True)
class Paths:
    """The folders a command works with."""

    project: Path
    store: Path
    #: A remote SPARQL 1.1 endpoint (query URL) used instead of the embedded store, when given.
    endpoint: str | None = None
    #: Where SPARQL Update and the Graph Store Protocol go; derived from *endpoint* when not given.
    update_endpoint: str | None = None
    #: Credentials for writes (HTTP Digest, then Basic).
    user: str | None = None
    password: str | None = None

    @property
    def ontology(self) -> Path:
        """The OWL ontology."""
        return self.project / "ontology" / "zhaoshang.ttl"

    @property
    def shapes(self) -> Path:
        """The SHACL shapes."""
        return self.project / "ontology" / "shapes.ttl"

    @property
    def sources(self) -> Path:
        """Source articles as received."""
        return self.project / "data" / "sources"

    @property
    def facts(self) -> Path:
        """Curated facts, one or more files per source."""
        return self.project / "data" / "facts"

    @property
    def queries(self) -> Path:
        """The catalogue of named questions."""
        return self.project / "queries"

    @property
    def views(self) -> Path:
        """Where the main job writes its HTML views."""
        return self.project / "out"


def find_project(start: Path | None = None) -> Path:
    """Find the project folder: the nearest folder at or above *start* holding ``ontology/zhaoshang.ttl``.

    Falls back to the folder this package was installed from (an editable install of a clone).
    """
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "ontology" / "zhaoshang.ttl").is_file():
            return folder
    return Path(__file__).resolve().parent.parent


def make_paths(
    project: Path | None = None,
    store: Path | None = None,
    *,
    endpoint: str | None = None,
    update_endpoint: str | None = None,
    user: str | None = None,
    password: str | None = None,
) -> Paths:
    """Build :class:`Paths` from optional overrides; the store defaults to ``<project>/.kg/store``."""
    root = (project or find_project()).resolve()
    return Paths(
        project=root,
        store=(store or root / DEFAULT_STORE).resolve(),
        endpoint=endpoint or None,
        update_endpoint=update_endpoint or None,
        user=user or None,
        password=password or None,
    )
