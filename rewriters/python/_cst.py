"""LibCST helpers shared by the Python codemods: metadata of a module parsed once, and an import added where
the file's imports are."""

from __future__ import annotations

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor
from libcst.metadata import MetadataWrapper


def resolve(module: cst.Module, *providers) -> tuple:
    """The metadata of each provider for ``module`` itself (not a copy), so that the nodes it is keyed by are the
    module's own and can be compared and replaced by identity."""
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    return tuple(wrapper.resolve(provider) for provider in providers)


def with_import(module: cst.Module, name: str, obj: str | None = None) -> cst.Module:
    """``module`` with `import name` (or `from name import obj`) unless it has it already."""
    context = CodemodContext()
    AddImportsVisitor.add_needed_import(context, name, obj)
    return module.visit(AddImportsVisitor(context))
