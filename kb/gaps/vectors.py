"""Character n-gram TF-IDF, computed with numpy.

The features are those of scikit-learn's ``HashingVectorizer(analyzer="char",
ngram_range=(1, 3))`` followed by ``TfidfTransformer(sublinear_tf=True)`` and a
minimum document frequency — character n-grams need no Japanese tokenizer —
but scikit-learn's analyzer builds every n-gram as a Python string: about 100 s
for 100,000 tickets on two cores. Here every n-gram of the corpus is an integer
(its code points side by side, 21 bits each, so sizes never collide) hashed into ``2**BITS`` columns in one numpy
pass, a chunk of documents at a time to bound memory; scikit-learn weighs them.

English words are features whole (a plural or tense ending cut off), not
character n-grams: the letters of English words are shared by English texts
about anything, and unrelated English tickets looked alike enough to join one
topic (corpus C: the English tickets of five topics in one proposal).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfTransformer

NGRAMS = (2, 3)
BITS = 20
CHUNK = 25_000
_LATIN = re.compile(r"[a-z][a-z0-9+#]+")
_LATIN_RUN = re.compile(r"[a-z0-9+# ]*[a-z][a-z0-9+# ]*")
_ENDING = re.compile(r"(?<=...)(?:ies|es|s|ed|ing)$")
_HAS_LATIN = re.compile(r"[a-z]")
_WORD_COLUMNS: dict[str, int] = {}
_MULT = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: the top bits of code × φ·2⁶⁴


def _latin_words(docs: Sequence[str]) -> tuple[list[int], list[int]]:
    """(row, column) of each English word of each document: the word, its plural or tense ending cut off,
    hashed (crc32: the same in every process) into the columns."""
    rows, cols = [], []
    mask = (1 << BITS) - 1
    for i, d in enumerate(docs):
        if not _HAS_LATIN.search(d):
            continue
        for w in _LATIN.findall(d):
            col = _WORD_COLUMNS.get(w)
            if col is None:
                col = zlib.crc32(_ENDING.sub("", w).encode()) & mask
                if len(_WORD_COLUMNS) < 200_000:
                    _WORD_COLUMNS[w] = col
            rows.append(i)
            cols.append(col)
    return rows, cols


def _blank(m: re.Match[str]) -> str:
    return "\0" * len(m.group())


def _hashed_counts(docs: Sequence[str]) -> sp.csr_matrix:
    """Counts of every character 2- and 3-gram of each document's non-Latin text, and of each of its English
    words, hashed into ``2**BITS`` columns. English words are features whole: their character n-grams (and
    those across the space between two words) are shared by English texts about anything, and made unrelated
    English tickets look alike."""
    word_rows, word_cols = _latin_words(docs)
    docs = [_LATIN_RUN.sub(_blank, d.replace("\0", " ")) if _HAS_LATIN.search(d) else d.replace("\0", " ")
            for d in docs]
    lengths = np.fromiter((len(d) + 1 for d in docs), dtype=np.int64, count=len(docs))
    joined = "\0".join(docs) + "\0"
    chars = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    doc_of = np.repeat(np.arange(len(docs), dtype=np.int32), lengths)
    rows, cols = [], []
    for n in NGRAMS:
        length = len(chars) - n + 1
        if length <= 0:
            continue
        code = np.zeros(length, dtype=np.uint64)
        ok = np.ones(length, dtype=bool)
        for k in range(n):
            part = chars[k:k + length]
            code = (code << np.uint64(21)) | part
            ok &= part != 0
        rows.append(doc_of[:length][ok])
        cols.append(((code[ok] * _MULT) >> np.uint64(64 - BITS)).astype(np.int32))
    rows.append(np.array(word_rows, dtype=np.int32))
    cols.append(np.array(word_cols, dtype=np.int32))
    row, col = np.concatenate(rows), np.concatenate(cols)
    m = sp.csr_matrix((np.ones(len(row), dtype=np.float32), (row, col)), shape=(len(docs), 1 << BITS))
    m.sum_duplicates()
    return m


@dataclass
class CharVectorizer:
    """Fit on tickets, then transform tickets and articles into the same L2-normalised TF-IDF space.

    A corpus with no n-gram left (no documents, or every one empty) gives rows of no columns: scikit-learn
    refuses to weigh an empty matrix, and a first day or a quiet week must still give a report."""

    min_df: int = 2
    keep: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    tfidf: TfidfTransformer | None = None
    fitted: bool = False

    def fit_transform(self, docs: Sequence[str]) -> sp.csr_matrix:
        counts = self._raw(docs)
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        self.keep = np.flatnonzero(df >= min(self.min_df, max(1, len(docs))))
        self.fitted = True
        if not len(docs) or not len(self.keep):
            self.tfidf = None
            return sp.csr_matrix((len(docs), len(self.keep)), dtype=np.float64)
        self.tfidf = TfidfTransformer(sublinear_tf=True)
        return self.tfidf.fit_transform(counts[:, self.keep]).tocsr()

    def transform(self, docs: Sequence[str]) -> sp.csr_matrix:
        if not self.fitted:
            raise RuntimeError("CharVectorizer.transform before fit_transform")
        if not docs or self.tfidf is None:
            return sp.csr_matrix((len(docs), len(self.keep)), dtype=np.float64)
        return self.tfidf.transform(self._raw(docs)[:, self.keep]).tocsr()

    @staticmethod
    def _raw(docs: Sequence[str]) -> sp.csr_matrix:
        parts = [_hashed_counts(docs[s:s + CHUNK]) for s in range(0, len(docs), CHUNK)]
        return sp.vstack(parts, format="csr") if parts else sp.csr_matrix((0, 1 << BITS), dtype=np.float32)
