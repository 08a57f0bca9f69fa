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

from dataclasses import dataclass

import pyoxigraph as ox

from kg.namespaces import OA, PROV, SCHEMA, ZS
from kg.store.derive import DERIVED_GRAPH

#: The project-stage concepts in life-cycle order (local names of zs:ProjectStages).
LIFECYCLE = ("Intent", "Planned", "Introduced", "Signed", "Landed", "UnderConstruction", "Completed", "InProduction")
#: Stages that report money rather than progress: listed on a timeline, never a project's current stage.
NOT_CURRENT = frozenset({"FundsArrived"})

_MILESTONES = f"""
SELECT ?m ?project ?stage ?date ?published WHERE {{
  ?m a <{ZS}ProjectMilestone> ; <{ZS}project> ?project ; <{ZS}stage> ?stage .
  OPTIONAL {{ ?m <{ZS}stageDate> ?date }}
  OPTIONAL {{ ?m <{PROV}wasDerivedFrom>/<{OA}hasSource>/<{SCHEMA}datePublished> ?published }}
}}"""


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


def milestones(store: ox.Store) -> list[Milestone]:
    """Every milestone of the store's data (the derived graph holds none), one per milestone IRI."""
    result = store.query(_MILESTONES, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    found: dict[ox.NamedNode, Milestone] = {}
    for row in result:
        m, project, stage, date, published = (row[k] for k in ("m", "project", "stage", "date", "published"))
        if not (isinstance(m, ox.NamedNode) and isinstance(project, ox.NamedNode) and isinstance(stage, ox.NamedNode)):
            continue
        pub = published.value if isinstance(published, ox.Literal) else ""
        old = found.get(m)
        if old is None or pub > old.published:
            found[m] = Milestone(m, project, stage, date if isinstance(date, ox.Literal) else None, pub)
    return sorted(found.values(), key=lambda x: x.iri.value)


def current_stages(store: ox.Store) -> list[ox.Quad]:
    """``zs:stage`` (and ``zs:stageDate`` when the text gave one) of every project with a milestone: its latest."""
    graph = ox.NamedNode(DERIVED_GRAPH)
    latest: dict[ox.NamedNode, Milestone] = {}
    for m in milestones(store):
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
