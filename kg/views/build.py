"""The graph a ``kg viz`` page draws: read around a focus when there is one, else from the whole store."""

from __future__ import annotations

from collections.abc import Iterable

from kg.backend import AnyStore
from kg.views.dating import date_view
from kg.views.focused import focused_view
from kg.views.model import MAX_NODES, ViewGraph, extract, narrow


def build_view(
    store: AnyStore,
    focus: str | None = None,
    hops: int = 1,
    classes: Iterable[str] = (),
    lang: str = "zh",
    max_nodes: int = MAX_NODES,
) -> ViewGraph:
    """The graph a ``kg viz`` page draws: extract the entities, then focus, filter and cap them.

    A focused view is read around its focus (:func:`kg.views.focused.focused_view`), so that its cost follows the
    neighbourhood's size, not the store's; it gives the same graph, and falls back to reading the whole store
    when it cannot be sure to (see there).
    """
    graph: ViewGraph | None = None
    if focus:
        graph = focused_view(store, focus, hops=hops, classes=classes, lang=lang, max_nodes=max_nodes)
    if graph is None:
        graph = narrow(extract(store, lang), focus=focus, hops=hops, classes=classes, max_nodes=max_nodes)
    date_view(store, graph)
    if graph.focus:
        label = graph.nodes[graph.focus].label
        graph.title = f"{label} · {hops} 跳" if lang == "zh" else f"{label} · {hops} hop{'s' if hops != 1 else ''}"
    else:
        graph.title = "招商引资知识图谱" if lang == "zh" else "Investment-attraction knowledge graph"
    return graph
