"""Serving: import the DVC-tracked model into BentoML's store, build a Bento, serve, smoke-test,
and containerize it."""
