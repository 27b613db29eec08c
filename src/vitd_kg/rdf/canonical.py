"""Canonical blank-node labels, in time linear in the data, for reproducible dumps.

Oxigraph's ``Dataset.canonicalize`` refines blank-node hashes round after round: on a
chain of blank nodes (``[ ... [ ... ] ]``, nested lists) that costs about the cube of
its length (a 400-deep chain takes 45 s, a 2000-deep one hours) and a 100,000-deep one
overflows its stack. Almost all blank nodes form trees (each is the object of at most
one triple, and none contains itself): Turtle's ``[ ]`` and ``( )``, OWL axioms, JSON-LD
objects. A tree's blank nodes get their labels here in two passes: up the tree, a hash
of what each node says (its predicates and objects, a nested node by its own hash);
down the tree, a label from the parent's label, the predicate and that hash. Nodes that
end with the same label are twins (same place, same content): swapping them changes
nothing, so they are numbered in any order. The rare blank nodes outside trees (shared
or in cycles) are left to Oxigraph, all together in one dataset.

>>> a, b = ox.BlankNode(), ox.BlankNode()
>>> g, p = ox.NamedNode("http://e/g"), ox.NamedNode("http://e/p")
>>> quads = [ox.Quad(ox.NamedNode("http://e/s"), p, a, g), ox.Quad(a, p, b, g), ox.Quad(b, p, ox.Literal("x"), g)]
>>> again = [ox.Quad(ox.NamedNode("http://e/s"), p, ox.BlankNode("z1"), g), ox.Quad(ox.BlankNode("z1"), p, ox.BlankNode("z2"), g),
...          ox.Quad(ox.BlankNode("z2"), p, ox.Literal("x"), g)]
>>> sorted(map(str, canonical_quads(quads))) == sorted(map(str, canonical_quads(again)))
True
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import pyoxigraph as ox


def canonical_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The quads with every blank node renamed canonically (isomorphic input, equal output)."""
    blank = ox.BlankNode
    out: list[ox.Quad] = []
    links: list[tuple] = []  # (subject, predicate, object, graph) of quads with a blank node
    for quad in quads:
        subject, obj = quad.subject, quad.object
        if type(subject) is blank or type(obj) is blank:
            links.append((subject, quad.predicate, obj, quad.graph_name))
        else:
            out.append(quad)
    if not links:
        return out
    parents: dict[ox.BlankNode, list[tuple]] = {}
    children: dict[ox.BlankNode, list[tuple]] = {}
    for link in links:
        subject, _, obj, _ = link
        if type(subject) is blank:
            children.setdefault(subject, []).append(link)
            parents.setdefault(subject, [])
        if type(obj) is blank:
            parents.setdefault(obj, []).append(link)
            children.setdefault(obj, [])
    outside = _outside_trees(parents, children)
    content = _content_hashes(parents, children, outside)
    renamed = {node: ox.BlankNode(label) for node, label in _labels(parents, children, content).items()}
    rest = []
    for subject, predicate, obj, graph in links:
        if subject in outside or obj in outside:
            rest.append(ox.Quad(subject, predicate, obj, graph))
        else:
            out.append(ox.Quad(renamed.get(subject, subject), predicate, renamed.get(obj, obj), graph))
    if rest:
        dataset = ox.Dataset(rest)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
        out.extend(dataset)
    return out


def _outside_trees(parents: dict, children: dict) -> set[ox.BlankNode]:
    """Blank nodes of the groups (linked through blank-to-blank triples) that are not trees."""
    seen: set[ox.BlankNode] = set()
    outside: set[ox.BlankNode] = set()
    for start in parents:
        if start in seen:
            continue
        group, stack, tree = [], [start], True
        seen.add(start)
        while stack:
            node = stack.pop()
            group.append(node)
            if len(parents[node]) > 1:
                tree = False
            links = [link[2] for link in children[node] if type(link[2]) is ox.BlankNode]
            links += [link[0] for link in parents[node] if type(link[0]) is ox.BlankNode]
            for other in links:
                if other not in seen:
                    seen.add(other)
                    stack.append(other)
        roots = [n for n in group if _is_root(n, parents)]
        if tree and len(roots) != 1:  # no root: a cycle; a tree has exactly one
            tree = False
        if not tree:
            outside.update(group)
    return outside


def _is_root(node: ox.BlankNode, parents: dict) -> bool:
    """A node at the top of its tree: nothing holds it, or a named node does."""
    return not parents[node] or type(parents[node][0][0]) is not ox.BlankNode


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _content_hashes(parents: dict, children: dict, outside: set) -> dict[ox.BlankNode, str]:
    """Each tree node's hash of what it says, nested nodes by their own hash (leaves first)."""
    order: list[ox.BlankNode] = []
    stack = [n for n in parents if n not in outside and _is_root(n, parents)]
    while stack:  # parents before children; reversed below, children first
        node = stack.pop()
        order.append(node)
        stack.extend(link[2] for link in children[node] if type(link[2]) is ox.BlankNode)
    content: dict[ox.BlankNode, str] = {}
    for node in reversed(order):
        parts = sorted(
            f"{_graph(link[3])} {link[1]} " + (f"_:{content[link[2]]}" if type(link[2]) is ox.BlankNode else str(link[2]))
            for link in children[node]
        )
        content[node] = _digest(*parts)
    return content


def _labels(parents: dict, children: dict, content: dict) -> dict[ox.BlankNode, str]:
    """Labels from the top of each tree down: the place (parent label, predicate) and the content."""
    labels: dict[ox.BlankNode, str] = {}
    level: list[tuple[str, ox.BlankNode]] = []
    for node in content:
        if not _is_root(node, parents):
            continue
        link = parents[node][0] if parents[node] else None
        place = "" if link is None else f"{link[0]} {_graph(link[3])} {link[1]}"
        level.append((_digest("root", place, content[node]), node))
    while level:
        level.sort(key=lambda item: item[0])
        following: list[tuple[str, ox.BlankNode]] = []
        previous, twin = None, 0
        for key, node in level:
            twin = twin + 1 if key == previous else 0
            previous = key
            label = "t" + key[:40] + (f"x{twin}" if twin else "")
            labels[node] = label
            for link in children[node]:
                if type(link[2]) is ox.BlankNode:
                    following.append((_digest(label, _graph(link[3]), str(link[1]), content[link[2]]), link[2]))
        level = following
    return labels


def _graph(graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> str:
    return "" if type(graph) is ox.DefaultGraph else str(graph)
