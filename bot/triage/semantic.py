"""A semantic signal beside the lexical score: how close two reports are in meaning
("Customers received two invoices" and "charged twice"), from static word
embeddings that ship inside a PyPI package, on CPU, in Firebell's own process.

The model is WordLlama's `l2_supercat_256` (MIT; 32k tokens x 256 dimensions,
16 MB, English-trained), read from the files inside the installed `wordllama`
wheel (`pip install 'firebell[semantic]'`). It is loaded from those files only:
WordLlama's own `load()` would fetch a tokenizer from a model hub when it does not
find it, and nothing leaves the machine for this. Without the package (or with
FIREBELL_SEMANTIC=off) `vector` returns None and the finder is lexical.

A report's vector is the mean of its tokens' embeddings over the title and the
start of its description, normalised; it is cached in memory by content, so a
candidate is embedded once per process, and comparing costs one dot product of
256 numbers whatever the length of the report (about 0.4 ms to embed one).
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

# The description's start carries the symptom; past it, logs and traces dilute the mean.
DESCRIPTION_CHARS = 600
WEIGHTS = "weights/l2_supercat_256.safetensors"
TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"


@dataclass(frozen=True)
class Model:
    embedding: Any  # np.ndarray, tokens x 256, float32
    tokenizer: Any  # tokenizers.Tokenizer

    def embed(self, text: str) -> np.ndarray:
        """The mean of the tokens' embeddings, normalised (WordLlama's pooling)."""
        import numpy as np

        ids = self.tokenizer.encode(text, add_special_tokens=False).ids
        if not ids:
            return np.zeros(self.embedding.shape[1], dtype=np.float32)
        mean = self.embedding[np.asarray(ids)].mean(axis=0)
        norm = float(np.linalg.norm(mean))
        return (mean / norm if norm else mean).astype(np.float32)


@lru_cache(maxsize=1)
def model() -> Model | None:
    """WordLlama's bundled model, or None when it is not installed or turned off.

    The files are read where pip put them, without importing `wordllama` (its import
    configures the root logger, and its loader may download)."""
    if os.environ.get("FIREBELL_SEMANTIC", "").lower() in ("off", "0", "false", "no"):
        return None
    spec = importlib.util.find_spec("wordllama")
    try:
        import numpy as np
        from safetensors import safe_open
        from tokenizers import Tokenizer
    except ImportError:
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    base = Path(next(iter(spec.submodule_search_locations)))
    weights, tokenizer = base / WEIGHTS, base / TOKENIZER
    if not (weights.is_file() and tokenizer.is_file()):
        return None  # a build of wordllama without its bundled files: stay lexical
    with safe_open(str(weights), framework="np", device="cpu") as found:
        embedding = np.ascontiguousarray(found.get_tensor("embedding.weight"), dtype=np.float32)
    words = Tokenizer.from_file(str(tokenizer))
    words.no_padding()
    words.no_truncation()
    return Model(embedding, words)


def available() -> bool:
    return model() is not None


def text_of(title: str, description: str | None) -> str:
    return f"{title}\n{(description or '')[:DESCRIPTION_CHARS]}".strip()


@lru_cache(maxsize=50_000)
def vector(text: str) -> np.ndarray | None:
    """The text's unit vector (cached by content), None without the model."""
    found = model()
    if found is None or not text.strip():
        return None
    embedded = found.embed(text)
    embedded.setflags(write=False)  # shared through the cache
    return embedded


def cosine(a: np.ndarray | None, b: np.ndarray | None) -> float:
    if a is None or b is None:
        return 0.0
    return float(a @ b)
