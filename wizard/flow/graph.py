"""A flow as a picture: Mermaid (``flowchart``) or Graphviz DOT text.

Steps are nodes shaped by kind, branches are labelled edges; a sub-flow is
drawn as a cluster of its own steps, and each library fix a step uses is a
node reached by a dashed ``use`` edge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from wizard.flow.check import successors
from wizard.flow.model import (
    AskStep,
    EndStep,
    FixStep,
    FixUse,
    Flow,
    FlowStep,
    ProbeStep,
    SequenceStep,
    Step,
    SwitchStep,
)

FORMATS = ("mermaid", "dot")


@dataclass
class _Graph:
    nodes: dict[str, tuple[str, str]] = field(default_factory=dict)
    """node id -> (label, shape kind)"""
    edges: list[tuple[str, str, str, bool]] = field(default_factory=list)
    """(source, target, label, dashed)"""
    clusters: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    """cluster id -> (title, node ids)"""


def _node_id(prefix: str, name: str) -> str:
    return "n_" + re.sub(r"[^A-Za-z0-9_]", "_", f"{prefix}{name}")


def _label(step_id: str, step: Step) -> str:
    if isinstance(step, ProbeStep):
        names = ", ".join(c.probe for c in step.calls(step_id).values())
        detail = f"probe {names}" + (f" as {step.id}" if step.id else "")
    elif isinstance(step, AskStep):
        detail = f"ask {step.var}"
    elif isinstance(step, SwitchStep):
        detail = f"switch {step.value}"
    elif isinstance(step, FixStep):
        detail = f"fix ({step.status})" + (" end" if step.end else "")
        if step.fixes_from is not None:
            detail += f"\nfixes from {step.fixes_from}"
    elif isinstance(step, EndStep):
        detail = f"end ({step.status})"
    elif isinstance(step, SequenceStep):
        detail = "sequence"
    else:
        detail = f"flow {step.flow}"
    guard = f"\nif {step.if_}" if step.if_ else ""
    return f"{step_id}\n{detail}{guard}"


def _edge_label(path: tuple[str | int, ...]) -> str:
    head = path[0]
    if head in ("next", "default", "else"):
        return "" if head == "next" else str(head)
    if head == "checks":
        return f"check {int(path[1]) + 1}"
    if head == "when":
        return f"when #{int(path[1]) + 1}"
    return str(path[-1]) if path[-1] != "" else '""'


def _collect(graph: _Graph, flow: Flow, prefix: str, seen: set[str]) -> str:
    """Add ``flow``'s steps under ``prefix``; returns its start node id."""
    members: list[str] = []
    for step_id, step in flow.steps.items():
        node = _node_id(prefix, step_id)
        graph.nodes[node] = (_label(step_id, step), step.kind)
        members.append(node)
        for path, target, _, _ in successors(step_id, step):
            if target in flow.steps:
                graph.edges.append((node, _node_id(prefix, target), _edge_label(path), False))
        if isinstance(step, FixStep):
            for item in (*step.fixes, *step.alternatives):
                if isinstance(item, FixUse):
                    fix_node = _node_id("fix_", item.use)
                    graph.nodes[fix_node] = (f"fix library\n{item.use}", "library")
                    graph.edges.append((node, fix_node, "use", True))
        if isinstance(step, FlowStep):
            sub = flow.subflow(step.flow)
            sub_prefix = re.sub(r"[^A-Za-z0-9_]", "_", step.flow) + "__"
            if sub is not None and step.flow not in seen:
                start = _collect(graph, sub, sub_prefix, seen | {step.flow})
                graph.edges.append((node, start, "runs", True))
            elif sub is not None:
                graph.edges.append((node, _node_id(sub_prefix, sub.start), "runs", True))
    if prefix:
        graph.clusters[prefix] = (f"flow {flow.id}", members)
    return _node_id(prefix, flow.start)


def _build(flow: Flow) -> _Graph:
    graph = _Graph()
    start = _collect(graph, flow, "", {flow.id})
    graph.nodes["__start"] = ("start", "start")
    graph.edges.insert(0, ("__start", start, "", False))
    return graph


_MERMAID_SHAPES = {
    "start": ("((", "))"), "ask": ("[/", "/]"), "probe": ("[", "]"), "switch": ("{", "}"),
    "fix": ("[[", "]]"), "end": ("([", "])"), "sequence": ("[[", "]]"), "flow": ("[[", "]]"),
    "library": (">", "]"),
}


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;").replace("\n", "<br/>")


def to_mermaid(flow: Flow) -> str:
    """The flow as a Mermaid ``flowchart`` (GitHub renders it in a ```` ```mermaid ```` block)."""
    graph = _build(flow)
    clustered = {n for _, members in graph.clusters.values() for n in members}
    lines = ["flowchart TD"]

    def node_line(node: str, indent: str) -> str:
        label, kind = graph.nodes[node]
        left, right = _MERMAID_SHAPES[kind]
        return f'{indent}{node}{left}"{_mermaid_text(label)}"{right}'

    for node in graph.nodes:
        if node not in clustered:
            lines.append(node_line(node, "  "))
    for cluster, (title, members) in graph.clusters.items():
        lines.append(f'  subgraph f_{cluster.rstrip("_")}["{_mermaid_text(title)}"]')
        lines.extend(node_line(m, "    ") for m in members)
        lines.append("  end")
    for source, target, label, dashed in graph.edges:
        arrow = "-.->" if dashed else "-->"
        shown = f'|"{_mermaid_text(label)}"|' if label else ""
        lines.append(f"  {source} {arrow}{shown} {target}")
    return "\n".join(lines) + "\n"


_DOT_SHAPES = {
    "start": "circle", "ask": "parallelogram", "probe": "box", "switch": "diamond",
    "fix": "octagon", "end": "oval", "sequence": "box3d", "flow": "component",
    "library": "note",
}


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def to_dot(flow: Flow) -> str:
    """The flow as a Graphviz ``digraph`` (``dot -Tsvg``)."""
    graph = _build(flow)
    clustered = {n for _, members in graph.clusters.values() for n in members}
    lines = [f'digraph "{_dot_text(flow.id)}" {{', "  rankdir=TB;", "  node [fontsize=10];"]

    def node_line(node: str, indent: str) -> str:
        label, kind = graph.nodes[node]
        return f'{indent}{node} [label="{_dot_text(label)}", shape={_DOT_SHAPES[kind]}];'

    for node in graph.nodes:
        if node not in clustered:
            lines.append(node_line(node, "  "))
    for cluster, (title, members) in graph.clusters.items():
        lines.append(f"  subgraph cluster_{cluster.rstrip('_')} {{")
        lines.append(f'    label="{_dot_text(title)}";')
        lines.extend(node_line(m, "    ") for m in members)
        lines.append("  }")
    for source, target, label, dashed in graph.edges:
        attrs = [f'label="{_dot_text(label)}"'] if label else []
        if dashed:
            attrs.append("style=dashed")
        lines.append(f"  {source} -> {target}" + (f" [{', '.join(attrs)}]" if attrs else "")
                     + ";")
    lines.append("}")
    return "\n".join(lines) + "\n"
