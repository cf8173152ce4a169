"""Rewrites: span edits for JS/TS, LibCST codemods for Python, and the engine that plans, verifies and writes them."""
