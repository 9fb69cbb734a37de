"""The rest + expression photo series of a session, for the dynamic assessment (pure).

The rest photo is the frontal one at rest; the expressions are the protocol's views that ask for one
(``frontal_smile`` -> ``smile``, ``brow_raise``, ``frown``, ``eye_closure``, ``pucker``), named by the view's
``expression``, which the dynamics script knows by name. The clinic's assessment page and
:func:`facebalance.assess.assess_session` both build the series here.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TypeVar

from facebalance.session.protocol import Protocol

#: The protocol view whose photo is the series' rest.
REST_VIEW = "frontal_rest"

T = TypeVar("T")


def expression_series(
    available: Mapping[str, T], protocol: Protocol, *, skipped: Collection[str] = (), rest_view: str = REST_VIEW
) -> list[tuple[str, T]]:
    """``[(expression, photo), ...]``, rest first, from the session's photos by view id.

    Parameters
    ----------
    available : mapping of view id to photo
        The session's current photos (any photo type: a stored photo, a path, a :class:`SessionPhoto`).
    protocol : Protocol
    skipped : collection of str
        Views skipped in this session (left out even if a photo is there).
    rest_view : str
        The view of the rest photo.

    Returns
    -------
    list of (str, photo)
        Empty without a rest photo or without any expression photo.

    Examples
    --------
    >>> from facebalance.session.protocol import load_protocol
    >>> p = load_protocol()
    >>> expression_series({"frontal_rest": "r.jpg", "frontal_smile": "s.jpg", "frown": "f.jpg"}, p, skipped={"frown"})
    [('rest', 'r.jpg'), ('smile', 's.jpg')]
    >>> expression_series({"frontal_smile": "s.jpg"}, p)
    []
    """
    rest = available.get(rest_view) if rest_view not in skipped else None
    series = [
        (v.expression, available[v.id])
        for v in protocol.views
        if v.expression not in ("neutral", "any") and v.id in available and v.id not in skipped
    ]
    if rest is None or not series:
        return []
    return [("rest", rest), *series]
