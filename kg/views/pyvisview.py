"""The graph view as a pyvis ``Network``, for notebook users who know pyvis (``pip install "zhaoshang-kg[pyvis]"``).

Built from the same view data as ``kg viz`` (:func:`kg.views.build.build_view`, or the region network with no
focus): the same labels, colours, shapes and precomputed positions, physics off, and every title escaped (pyvis
puts titles into the page as HTML). The CLI keeps the project's own page: pyvis cannot write a page that works
offline (its ``in_line`` mode still loads Bootstrap from a CDN, pyvis issue #229).
"""

from __future__ import annotations

import html
from typing import Any

from kg.backend import AnyStore
from kg.errors import InputError
from kg.views.graphpage import graph_data, viz_view
from kg.views.model import MAX_NODES


def to_pyvis(
    store: AnyStore,
    focus: str | None = None,
    hops: int = 1,
    classes: tuple[str, ...] | list[str] = (),
    lang: str = "zh",
    max_nodes: int = MAX_NODES,
    whole: bool = False,
    height: str = "640px",
) -> Any:
    """A pyvis ``Network`` of the view ``kg viz`` would draw with the same arguments (positions fixed, physics off)."""
    try:
        from pyvis.network import Network
    except ImportError as exc:
        raise InputError('kg.to_pyvis needs pyvis: pip install "zhaoshang-kg[pyvis]".') from exc
    data = graph_data(viz_view(store, focus, hops, classes, lang, max_nodes, whole))
    net = Network(height=height, width="100%", directed=True, cdn_resources="in_line", heading="")
    for n in data["nodes"]:
        cls = data["classes"][n["c"]]
        lines = [n["label"], cls["label"], *(f"{k}: {v}" for k, v in n["facts"][:6]), *n["quotes"][:2]]
        net.add_node(n["id"], label=n["label"], shape=cls["shape"], color=cls["color"], x=n["x"], y=n["y"],
                     size=n["size"], physics=False, title="\n".join(html.escape(str(line)) for line in lines))
    for e in data["edges"]:
        net.add_edge(e["from"], e["to"], title=html.escape(e["label"]), label=e["label"] if data["edgeLabels"] else "",
                     dashes=bool(e.get("via")))
    net.toggle_physics(False)
    return net
