"""The built index's chunks and the numpy reference embedder: the sample the embedding
benchmarks (build_embed, int8_variants) time and compare against."""
from __future__ import annotations


def index_chunks():
    """(settings, reference embedder, chunks) of the current build, or None (after printing what
    to run) when there is no index yet."""
    from assistant.settings import Settings
    from aiact.index.bert_numpy import NumpyEmbedder
    from aiact.index.build import current_build
    from aiact.index.chunk import chunk_provisions
    from aiact.index.store import IndexStore

    settings = Settings.from_env()
    directory = current_build(settings)
    if directory is None:
        print("No index here: run 'aiact index' first (the sample is the index's texts).")
        return None
    reference = NumpyEmbedder(settings.resolved_model())
    store = IndexStore(directory)
    return settings, reference, chunk_provisions(list(store.provisions.values()), reference.count_tokens)
