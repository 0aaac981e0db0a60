"""One pydantic model per RPC input/output and per event.

Everything sent is `model_dump(mode="json")`; everything received is
validated with `shared.errors.parse`.
"""
