"""Conformance of a credential to the official EDC SHACL shapes, offline: pyld turns the JSON-LD into RDF with
the two contexts kept in the repository (any other remote context is refused, nothing is fetched) and pySHACL
checks the graph. About half a second a credential."""

from __future__ import annotations

import functools
import json

import pyshacl
import rdflib
from pyld import jsonld

from services.edc.settings import CONTEXT_FILES, SHAPES_FILE


def _offline_loader(url: str, options=None) -> dict:
    path = CONTEXT_FILES.get(url.rstrip("/"))
    if path is None:
        raise jsonld.JsonLdError(f"context not available offline: {url}", "loading document failed")
    return {"contextUrl": None, "documentUrl": url, "document": _context(path)}


@functools.cache
def _context(path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@functools.cache
def _shapes() -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(SHAPES_FILE, format="turtle")
    return graph


def _messages(report: rdflib.Graph) -> list[str]:
    """One line per violation: the property's path and the message."""
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    lines = []
    for result in report.subjects(rdflib.RDF.type, sh.ValidationResult):
        if report.value(result, sh.resultSeverity) != sh.Violation:
            continue
        path = report.value(result, sh.resultPath)
        message = report.value(result, sh.resultMessage)
        focus = report.value(result, sh.focusNode)
        lines.append(f"{path} on {focus}: {message}")
    return sorted(lines)


def conformance_problems(credential: dict) -> list[str]:
    """[] when ``credential`` conforms to the EDC generic shapes; otherwise the violations, readable."""
    try:
        nquads = jsonld.to_rdf(credential, {"format": "application/n-quads", "documentLoader": _offline_loader})
    except jsonld.JsonLdError as exc:
        return [f"not JSON-LD the product can read offline: {exc}"]
    data = rdflib.Graph()
    # A credential is one default graph, so its N-Quads are N-Triples (rdflib's N-Quads parser is deprecated API).
    data.parse(data=nquads, format="nt")
    conforms, report, _text = pyshacl.validate(data, shacl_graph=_shapes(), inference="none", advanced=True)
    if conforms:
        return []
    return _messages(report) or ["does not conform to the EDC shapes"]
