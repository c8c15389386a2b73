"""The knowledge base: Markdown articles checked, rendered, previewed and published to the Help Center."""
