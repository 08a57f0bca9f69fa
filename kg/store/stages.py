"""A project's stages across sources: its milestones, and the current stage the build derives from them.

The data gives a project's stages as ``zs:ProjectMilestone`` nodes, one per report (签约 in one article, 开工 in a
later one), each with its stage, its date at the precision the text gives and its sentence. Views, questions and
rollups that want one stage per project (the profile's "projects by stage", ``projects_in_region``, the network's
attributes) read ``zs:stage``/``zs:stageDate`` on the project, which the build derives here into the derived graph:
the stage of the project's **latest** milestone.

Latest means: by date (the milestone's own date, else its article's publication date, compared as ISO text so a
month sorts before the days in it), then by the life cycle (:data:`LIFECYCLE`: 签约 before 开工 before 投产) for
reports of the same day. Funds in place (到资) are money, not a step of the life cycle, and never a current stage.
The derived ``zs:stageDate`` is the milestone's own date only: a date the text did not give is never made up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from kg.namespaces import OA, PROV, SCHEMA, ZS
from kg.store.derive import DERIVED_GRAPH

#: The project-stage concepts in life-cycle order (local names of zs:ProjectStages).
LIFECYCLE = ("Intent", "Planned", "Introduced", "Signed", "Landed", "UnderConstruction", "Completed", "InProduction")
#: Stages that report money rather than progress: listed on a timeline, never a project's current stage.
NOT_CURRENT = frozenset({"FundsArrived"})

_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_MILESTONE = ox.NamedNode(f"{ZS}ProjectMilestone")
_PROJECT, _STAGE, _DATE = (ox.NamedNode(f"{ZS}{n}") for n in ("project", "stage", "stageDate"))
_DERIVED_FROM = ox.NamedNode(f"{PROV}wasDerivedFrom")
_HAS_SOURCE, _PUBLISHED = ox.NamedNode(f"{OA}hasSource"), ox.NamedNode(f"{SCHEMA}datePublished")


@dataclass(frozen=True)
class Milestone:
    """One report of a stage, as the derivation needs it."""

    iri: ox.NamedNode
    project: ox.NamedNode
    stage: ox.NamedNode
    date: ox.Literal | None
    published: str

    @property
    def local(self) -> str:
        """The stage's local name (``Signed``)."""
        return self.stage.value.rsplit("#", 1)[-1]

    def key(self) -> tuple[str, int, str]:
        """What "latest" sorts by: the date (own, else the article's), the life-cycle step, the IRI."""
        when = self.date.value if self.date is not None else self.published[:10]
        step = LIFECYCLE.index(self.local) if self.local in LIFECYCLE else -1
        return when, step, self.iri.value


def milestones(store: ox.Store, projects: Iterable[ox.NamedNode] | None = None) -> list[Milestone]:
    """Every milestone of the store's data (the derived graph holds none), or those of *projects*, read by index
    lookups: a few per milestone, and one per article for its date, whatever the size of the rest of the data."""
    derived = ox.NamedNode(DERIVED_GRAPH)

    def one(s: ox.NamedNode | ox.BlankNode, p: ox.NamedNode) -> ox.NamedNode | ox.BlankNode | ox.Literal | None:
        for q in store.quads_for_pattern(s, p, None):
            if q.graph_name != derived and isinstance(q.object, (ox.NamedNode, ox.BlankNode, ox.Literal)):
                return q.object
        return None

    published: dict[ox.NamedNode | ox.BlankNode | ox.Literal, str] = {}
    out = []
    if projects is None:
        found = {q.subject for q in store.quads_for_pattern(None, _TYPE, _MILESTONE)
                 if isinstance(q.subject, ox.NamedNode)}
    else:
        found = {q.subject for p in projects for q in store.quads_for_pattern(None, _PROJECT, p)
                 if isinstance(q.subject, ox.NamedNode)}
    for m in sorted(found, key=lambda n: n.value):
        project, stage, date = one(m, _PROJECT), one(m, _STAGE), one(m, _DATE)
        if not (isinstance(project, ox.NamedNode) and isinstance(stage, ox.NamedNode)):
            continue
        pub = ""
        for q in store.quads_for_pattern(m, _DERIVED_FROM, None):
            source = one(q.object, _HAS_SOURCE) if isinstance(q.object, (ox.NamedNode, ox.BlankNode)) else None
            if source is not None and source not in published:
                day = one(source, _PUBLISHED) if isinstance(source, (ox.NamedNode, ox.BlankNode)) else None
                published[source] = day.value if isinstance(day, ox.Literal) else ""
            pub = max(pub, published.get(source, "") if source is not None else "")
        out.append(Milestone(m, project, stage, date if isinstance(date, ox.Literal) else None, pub))
    return out


def current_stages(store: ox.Store, projects: Iterable[ox.NamedNode] | None = None) -> list[ox.Quad]:
    """``zs:stage`` (and ``zs:stageDate`` when the text gave one) of every project with a milestone (or of
    *projects*): its latest."""
    graph = ox.NamedNode(DERIVED_GRAPH)
    latest: dict[ox.NamedNode, Milestone] = {}
    for m in milestones(store, projects):
        if m.local in NOT_CURRENT:
            continue
        old = latest.get(m.project)
        if old is None or m.key() > old.key():
            latest[m.project] = m
    quads = []
    for project, m in sorted(latest.items(), key=lambda kv: kv[0].value):
        quads.append(ox.Quad(project, ox.NamedNode(f"{ZS}stage"), m.stage, graph))
        if m.date is not None:
            quads.append(ox.Quad(project, ox.NamedNode(f"{ZS}stageDate"), m.date, graph))
    return quads
