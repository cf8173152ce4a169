"""What an awaited call's names say about it: work that stays in the process (rendering, hashing, an
in-memory document), and writes to one ordered sink."""

from __future__ import annotations

import re

from analyzers.facts import ModuleFacts

# Async work that stays in the process (schema validation, hashing, rendering): nothing to overlap.
_CPU_VERBS = frozenset(
    {"validate", "parse", "safe", "transform", "render", "compile", "format", "hash", "compare", "sign", "verify",
     "encrypt", "decrypt", "encode", "decode", "compress", "decompress", "serialize", "deserialize", "stringify",
     "sanitize", "normalize"}
)
# Receivers that are one ordered sink whatever the method (`zipWriter.addFile`, `archive.append`).
_SINK_WORDS = frozenset({"writer", "stream", "zip", "archive", "archiver"})
# An in-memory document or canvas (`pdfDoc.embedPage`, `pdf.save`, `canvas.toBuffer`): its async methods
# parse, draw and serialise in the process, and turns on one document change it in order.
_DOCUMENT_KINDS = frozenset({"pdf", "canvas"})
_DOCUMENT_WORDS = frozenset({"pdf", "doc", "document", "canvas"})
# Conversions of an object already in memory (`canvas.toBuffer()`, `toDataURL`, `toBlob`); a cursor's
# `toArray` and sharp's `toFile` do I/O.
_IO_CONVERSIONS = frozenset({"array", "file"})
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def name_words(name: str) -> list[str]:
    """``findOneAndUpdate`` -> find, one, and, update; ``get_or_create`` -> get, or, create."""
    return [word.lower() for word in _WORD.findall(name)]


def package_classes(module: ModuleFacts) -> frozenset[str]:
    """Capitalised names imported from packages (``PDF`` from ``@libpdf/core``, ``JSZip``): their static
    ``load`` parses a document from bytes in the process."""
    return frozenset(
        n.local for imp in module.imports if not imp.source.startswith(".") for n in imp.names if n.local[:1].isupper()
    )


def in_memory_receiver(receiver: str) -> bool:
    """A receiver whose methods stay in the process or must run in order: one sink (``zipWriter``,
    ``stream``) or an in-memory document (``pdfDoc``, ``pdf``, ``canvas``; not ``pdfService``, which may call
    a rendering service)."""
    words = name_words(receiver)
    if not words:
        return False
    return words[-1] in _SINK_WORDS or (words[-1] in _DOCUMENT_WORDS and bool(_DOCUMENT_KINDS.intersection(words)))


def is_in_process(name: str) -> bool:
    """A function or method named for work that stays in the process: ``renderOverlay``, ``hashPassword``,
    ``canvas.toBuffer``."""
    words = name_words(name)
    if not words:
        return False
    return words[0] in _CPU_VERBS or (words[0] == "to" and len(words) > 1 and words[1] not in _IO_CONVERSIONS)
