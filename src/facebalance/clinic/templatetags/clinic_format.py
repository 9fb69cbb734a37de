"""``{{ value|fixed:2 }}``: a number with a fixed count of decimals, for pages that print many numbers.

The same answer as Django's ``floatformat`` for a numeric argument (round half up on the decimal form of the
number; a negative argument shows decimals only when the number has them), as a plain string, without the
locale machinery ``floatformat`` and the rendering of a bare float go through (about a tenth of the time:
the assessment page prints a few hundred numbers).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import template

register = template.Library()


def fixed_text(value: Any, places: int = 2) -> str:
    """``value`` rounded half up to ``places`` decimals ("" when it is not a number).

    >>> fixed_text(2.675, 2), fixed_text(1234.5, 0), fixed_text(-0.001, 2), fixed_text(None)
    ('2.68', '1235', '0.00', '')
    >>> fixed_text(3.0, -1), fixed_text(3.25, -1), fixed_text("12.5", 1)
    ('3', '3.3', '12.5')
    """
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return ""
    if not number.is_finite():
        return str(value)
    if places < 0:
        places = 0 if number == number.to_integral_value() else -places
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)
    return f"{rounded:f}"


@register.filter(is_safe=True)
def fixed(value: Any, places: Any = 2) -> str:
    try:
        n = int(places)
    except (TypeError, ValueError):
        n = 2
    return fixed_text(value, n)
