"""Span-edit codemods for JavaScript and TypeScript, one per file."""
