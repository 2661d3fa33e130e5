"""The language model, shared by the slices that use it (reviews, the catch-up): its
settings, the prompt and its budget, the call, and who may be sent (model.py)."""
