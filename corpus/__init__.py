"""The legal texts and their readers: Markdown sources in, `Provision` records out."""
from aiact.corpus.provision import Provision
from aiact.corpus.registry import CORPUS_DIR, fingerprint, load_corpus

__all__ = ["CORPUS_DIR", "Provision", "fingerprint", "load_corpus"]
