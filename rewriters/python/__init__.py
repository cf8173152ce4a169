"""LibCST codemods for Python, one per file."""
