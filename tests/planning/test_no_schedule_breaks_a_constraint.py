"""Property: whatever the problem, the solver's schedule never breaks a precedence, interval, cap or budget."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from facebalance.planning.solver import ExclusiveSet, Link, Pair, Schedule, SolverItem, SolverProblem, solve

AREAS = ("lips", "chin", "midface")


@st.composite
def problems(draw: st.DrawFn) -> SolverProblem:
    n = draw(st.integers(1, 7))
    items = []
    for i in range(n):
        toxin = draw(st.booleans())
        group = f"g{draw(st.integers(0, i))}" if draw(st.integers(0, 4)) == 0 else f"g{i}"
        items.append(
            SolverItem(
                key=f"i{i}",
                group=group,
                value=draw(st.integers(0, 2000)),
                cost=draw(st.integers(0, 3000)),
                release_day=draw(st.sampled_from((0, 0, 0, 28, 56, 200))),
                usage={"toxin_units": draw(st.integers(4, 80))} if toxin else {"syringes": draw(st.integers(0, 3))},
                area=draw(st.sampled_from(AREAS)),
                area_ml_centi=0 if toxin else draw(st.integers(0, 300)),
                is_toxin=toxin,
            )
        )
    pairs = [(a, b) for a in range(n) for b in range(a + 1, n)]
    chosen = draw(st.lists(st.sampled_from(pairs), max_size=6, unique=True)) if pairs else []
    links = tuple(
        Link(f"i{a}", f"i{b}", draw(st.sampled_from((0, 14, 28))), "r", draw(st.sampled_from((None, None, 42))))
        for a, b in chosen
    )
    some = st.lists(st.sampled_from(pairs), max_size=2, unique=True) if pairs else st.just([])
    requires = tuple(Pair(f"i{b}", f"i{a}", "req") for a, b in draw(some))
    same_visit = tuple(Pair(f"i{b}", f"i{a}", "same") for a, b in draw(some))
    forbids = tuple(Pair(f"i{a}", f"i{b}", "not") for a, b in draw(some))
    exclusive = tuple(ExclusiveSet((f"i{a}", f"i{b}"), "ex") for a, b in draw(some))
    return SolverProblem(
        items=tuple(items),
        links=links,
        requires=requires,
        same_visit=same_visit,
        forbids=forbids,
        exclusive=exclusive,
        max_visits=draw(st.integers(1, 4)),
        min_visit_gap_days=14,
        horizon_days=182,
        visit_caps={"syringes": draw(st.integers(1, 4)), "toxin_units": draw(st.integers(20, 100))},
        area_caps_centi={a: draw(st.integers(0, 400)) for a in AREAS},
        budget=draw(st.sampled_from((None, 0, 1500, 4000, 8000))),
        toxin_min_interval_days=84,
    )


def violations(p: SolverProblem, s: Schedule) -> list[str]:
    """Every broken constraint, checked from the schedule alone (independently of the model)."""
    out: list[str] = []
    chosen = set(s.selected)
    items = {i.key: i for i in p.items}
    day = {k: s.day_of(k) for k in chosen}
    if len(s.visit_days) > p.max_visits:
        out.append("too many visits")
    if any(b - a < p.min_visit_gap_days for a, b in itertools.pairwise(s.visit_days)):
        out.append("visits too close")
    if any(d > p.horizon_days for d in s.visit_days):
        out.append("visit beyond the horizon")
    if sorted(set(s.visit_of.values())) != list(range(len(s.visit_days))):
        out.append("an empty visit")
    for link in p.links:
        if {link.before, link.after} <= chosen:
            gap = day[link.after] - day[link.before]
            if gap < link.min_gap_days or (link.max_gap_days is not None and gap > link.max_gap_days):
                out.append(f"precedence {link}")
    for k in chosen:
        if day[k] < items[k].release_day:
            out.append(f"{k} before its release day")
    for pair in p.requires:
        if pair.a in chosen and pair.b not in chosen:
            out.append(f"requires {pair}")
    for pair in p.same_visit:
        if pair.a in chosen and (pair.b not in chosen or s.visit_of[pair.a] != s.visit_of[pair.b]):
            out.append(f"same visit {pair}")
    for pair in p.forbids:
        if {pair.a, pair.b} <= chosen:
            out.append(f"forbids {pair}")
    for ex in p.exclusive:
        if len(chosen & set(ex.keys)) > 1:
            out.append(f"exclusive {ex}")
    groups = [items[k].group for k in chosen]
    if len(groups) != len(set(groups)):
        out.append("two variants of one group")
    toxins = sorted(k for k in chosen if items[k].is_toxin)
    for a in toxins:
        for b in toxins:
            if a < b and s.visit_of[a] != s.visit_of[b] and abs(day[a] - day[b]) < p.toxin_min_interval_days:
                out.append(f"toxin {a} and {b} less than 12 weeks apart")
    for v in range(len(s.visit_days)):
        here = [items[k] for k in chosen if s.visit_of[k] == v]
        for resource, cap in p.visit_caps.items():
            if sum(i.usage.get(resource, 0) for i in here) > cap:
                out.append(f"visit {v} over its {resource} cap")
    for area, cap in p.area_caps_centi.items():
        if sum(items[k].area_ml_centi for k in chosen if items[k].area == area) > cap:
            out.append(f"{area} over its cumulative cap")
    if p.budget is not None and sum(items[k].cost for k in chosen) > p.budget:
        out.append("over budget")
    return out


@settings(max_examples=60)
@given(problems())
def test_no_schedule_ever_violates_a_precedence_interval_cap_or_budget(problem: SolverProblem) -> None:
    schedule = solve(problem)
    assert schedule.status == "optimal"
    assert violations(problem, schedule) == []


@settings(max_examples=30)
@given(problems())
def test_the_schedule_is_deterministic(problem: SolverProblem) -> None:
    assert solve(problem) == solve(problem)


def test_for_equal_value_it_prefers_fewer_visits() -> None:
    items = (SolverItem("a", "a", 100, 10), SolverItem("b", "b", 100, 10))
    schedule = solve(SolverProblem(items, max_visits=4))
    assert schedule.visit_days == (0,) and schedule.value == 200
