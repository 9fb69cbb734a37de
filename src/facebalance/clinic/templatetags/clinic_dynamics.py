"""``{% dynamics_step session %}``: the photo session page's dynamics step (guided capture, uploads, results),
rendered from its own context so the session view needs no change."""

from __future__ import annotations

from typing import Any

from django import template

from facebalance.clinic.views_dynamics import step_context

register = template.Library()


@register.inclusion_tag("clinic/_dynamics_step.html", takes_context=True)
def dynamics_step(context: dict[str, Any], session: Any) -> dict[str, Any]:
    return {
        **step_context(session),
        "perms_held": context.get("perms_held", set()),
        "csrf_token": context.get("csrf_token"),
    }
