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

        return javascript.parse(path, source, language)
    except RecursionError:
        return _failed(path, language, source, "file is nested too deeply to analyse")
    except Exception as exc:  # noqa: BLE001 - a front-end bug must cost one file, not the run
        return _failed(path, language, source, f"internal error in the {language} front-end: {exc!r}")


def _failed(path: str, language: str, source: bytes, message: str) -> ModuleFacts:
    return ModuleFacts(path=path, language=language, lines=source.count(b"\n") + 1, errors=[message])
