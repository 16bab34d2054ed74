"""Wire dialects: each sub-package speaks one real API over the same service and core.

Every dialect has the same modules: ``decode`` (wire to plain data), ``params`` (what each
operation accepts), ``translate`` (plain data to commands, records to wire objects),
``errors`` (core errors to the API's envelope) and ``routes`` (the route table).
"""
