"""One entry point for every code front-end: source bytes in, module facts out, never an exception."""

from __future__ import annotations

from analyzers.facts import ModuleFacts

CODE_LANGUAGES = ("python", "javascript", "typescript", "tsx")


def parse_source(path: str, language: str, source: bytes) -> ModuleFacts:
    try:
        if language == "python":
            from analyzers import python

            return python.parse(path, source)
        from analyzers import javascript

        facts = javascript.parse(path, source, language)
        _check_utf8(facts, source)
        return facts
    except RecursionError:
        return _failed(path, language, source, "file is nested too deeply to analyse")
    except Exception as exc:  # noqa: BLE001 - a front-end bug must cost one file, not the run
        return _failed(path, language, source, f"internal error in the {language} front-end: {exc!r}")


def _check_utf8(facts: ModuleFacts, source: bytes) -> None:
    """tree-sitter reads any bytes; say so when the file is not UTF-8, since names and strings may be garbled."""
    try:
        source.decode("utf-8")
    except UnicodeDecodeError as exc:
        facts.errors.append(f"invalid UTF-8 at byte {exc.start}; analysed with the bytes as they are")


def _failed(path: str, language: str, source: bytes, message: str) -> ModuleFacts:
    return ModuleFacts(path=path, language=language, lines=source.count(b"\n") + 1, errors=[message])
