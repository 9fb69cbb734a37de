"""The clinic's edge to the analysis core: one landmarker per process, the clinic's protocol and norms.

Photo checks run in the request: on this machine's two cores a check takes about 30-50 ms. The assessment
does not: it analyses every view of the session (:mod:`facebalance.clinic.assessments`), and the whole job for
a six-view session took 5.7-6.0 s here (7.4 s the first time in a process, its models opening; docs/clinic.md,
2026-12-03), far longer than a clinician should wait on a request that holds a web worker and the shared
landmarker; it runs in the background job worker (:mod:`facebalance.clinic.jobs`) and the page polls its
progress. (A frontal-only analysis, about 0.4 s, ran in the request before.) The landmarker
(0.3 s to open) is opened once per process and shared under a lock, since a MediaPipe graph is not safe to call
from two threads at once.
"""

from __future__ import annotations

import atexit
import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from facebalance.clinic.models import Clinic
from facebalance.norms import NormSet, load_norm_set, parse_norm_set
from facebalance.session.protocol import Protocol, load_protocol, parse_protocol
from facebalance.vision import FaceLandmarker

_lock = threading.Lock()
_landmarker: FaceLandmarker | None = None


def shutdown() -> None:
    """Close the process's landmarker (idempotent); called by commands, test teardown and at exit."""
    global _landmarker
    with _lock:
        if _landmarker is not None:
            _landmarker.close()
            _landmarker = None


def _register_shutdown() -> None:
    # MediaPipe runs its native calls on a thread pool that is shut down before ``atexit`` handlers run,
    # so the landmarker must be closed from a threading exit hook, which runs before that pool's own.
    register = getattr(threading, "_register_atexit", None)
    if register is not None:
        register(shutdown)
    else:  # pragma: no cover - every supported CPython has the hook
        atexit.register(shutdown)


@contextmanager
def landmarker() -> Iterator[FaceLandmarker]:
    """The process's landmarker, held exclusively for the duration of the block."""
    global _landmarker
    with _lock:
        if _landmarker is None:
            _landmarker = FaceLandmarker().__enter__()
            _register_shutdown()
        yield _landmarker


def clinic_protocol(clinic: Clinic) -> Protocol:
    """The clinic's photo protocol: its own TOML when set, else the default (parsed once per process and
    text: a protocol is immutable, and a changed text is a new cache entry)."""
    return _protocol(clinic.protocol_toml if clinic.protocol_toml.strip() else "", clinic.pk)


@functools.lru_cache(maxsize=32)
def _protocol(text: str, clinic_id: int) -> Protocol:
    if text:
        return parse_protocol(text, origin=f"clinic {clinic_id} protocol")
    return load_protocol()


def clinic_norms(clinic: Clinic) -> NormSet:
    """The default norm set with the clinic's own norms layered over it (parsed once per process and text)."""
    return _norms(clinic.norms_toml if clinic.norms_toml.strip() else "", clinic.pk)


@functools.lru_cache(maxsize=32)
def _norms(text: str, clinic_id: int) -> NormSet:
    default = load_norm_set()
    if text:
        return parse_norm_set(text, origin=f"clinic {clinic_id} norms").layered_over(default)
    return default


def view_labels(protocol: Protocol) -> dict[str, Any]:
    return {v.id: v for v in protocol.views}
