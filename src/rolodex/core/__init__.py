"""The pure core: records, patches, validation errors and the query AST.

Nothing here performs I/O, reads a clock or draws randomness; those arrive as arguments.
"""
