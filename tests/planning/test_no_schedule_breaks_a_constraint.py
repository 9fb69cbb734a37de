"""Property: whatever the problem, the solver's schedule never breaks a precedence, interval, cap or budget, in
any phase."""

from __future__ import annotations

import itertools
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from facebalance.planning.solver import (
    ExclusiveSet,
    Link,
    Pair,
    RequiresAny,
    Schedule,
    SolverItem,
    SolverProblem,
    Spacing,
    solve,
)

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
                usage={"toxin_units": draw(st.integers(4, 80))}
                if toxin
                else {"syringes": draw(st.integers(0, 3)), "filler_centi_ml": draw(st.integers(0, 300))},
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
    needs = tuple(RequiresAny(f"i{b}", (f"i{a}",), "first") for a, b in draw(some))
    apart = tuple(Spacing(f"i{a}", f"i{b}", 14, "apart") for a, b in draw(some))
    phases = draw(st.integers(1, 3))
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
        visit_caps={
            "syringes": draw(st.integers(1, 4)),
            "toxin_units": draw(st.integers(20, 100)),
            "filler_centi_ml": draw(st.integers(100, 400)),
        },
        area_caps_centi={a: draw(st.integers(0, 400)) for a in AREAS},
        budget=draw(st.sampled_from((None, 0, 1500, 2500, 4000, 8000))),
        toxin_min_interval_days=84,
        requires_any=needs,
        spacing=apart,
        plan_caps={"filler_centi_ml": draw(st.integers(200, 800))},
        phases=phases,
        phase_gap_days=draw(st.sampled_from((28, 56))),
    )


def violations(p: SolverProblem, s: Schedule) -> list[str]:
    """Every broken constraint, checked from the schedule alone (independently of the model)."""
    out: list[str] = []
    chosen = set(s.selected)
    items = {i.key: i for i in p.items}
    day = {k: s.day_of(k) for k in chosen}
    phases = s.visit_phases or tuple(0 for _ in s.visit_days)
    if list(phases) != sorted(phases) or (phases and sorted(set(phases)) != list(range(max(phases) + 1))):
        out.append(f"phases out of order or skipped: {phases}")
    for phase in set(phases):
        days = [d for d, f in zip(s.visit_days, phases, strict=True) if f == phase]
        if len(days) > p.max_visits:
            out.append(f"phase {phase}: too many visits")
        if days[-1] - days[0] > p.horizon_days or (phase == 0 and days[-1] > p.horizon_days):
            out.append(f"phase {phase}: beyond the horizon")
        if p.budget is not None:
            cost = sum(items[k].cost for k in chosen if phases[s.visit_of[k]] == phase)
            if cost > p.budget:
                out.append(f"phase {phase}: over budget")
    if len(set(phases)) > p.phases:
        out.append("too many phases")
    for (a, fa), (b, fb) in itertools.pairwise(zip(s.visit_days, phases, strict=True)):
        if b - a < (p.phase_gap_days if fb != fa else p.min_visit_gap_days):
            out.append("visits too close")
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

    def group(key: str) -> set[str]:
        return {i.key for i in p.items if i.group == items[key].group}

    for pair in p.requires:
        if pair.a in chosen and not group(pair.b) & chosen:
            out.append(f"requires {pair}")
    for need in p.requires_any:
        if need.a in chosen and not set(need.options) & chosen:
            out.append(f"requires any {need}")
    for pair in p.same_visit:
        partners = group(pair.b) & chosen
        if pair.a in chosen and not any(s.visit_of[b] == s.visit_of[pair.a] for b in partners):
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
    for sp in p.spacing:
        if {sp.a, sp.b} <= chosen and abs(day[sp.a] - day[sp.b]) < sp.min_gap_days:
            out.append(f"spacing {sp}")
    for resource, cap in p.plan_caps.items():
        if sum(items[k].usage.get(resource, 0) for k in chosen) > cap:
            out.append(f"plan over its {resource} cap")
    return out


@settings(max_examples=60)
@given(problems())
def test_no_schedule_ever_violates_a_precedence_interval_cap_or_budget(problem: SolverProblem) -> None:
    schedule = solve(problem)
    # Each phase is solved to optimality; a plan in several phases is the best phase by phase, not one optimum.
    assert schedule.status == ("optimal" if len(set(schedule.visit_phases)) <= 1 else "feasible")
    assert violations(problem, schedule) == []


@settings(max_examples=40)
@given(problems())
def test_a_budget_too_small_for_everything_moves_steps_to_later_phases_in_order(problem: SolverProblem) -> None:
    tight = replace(problem, budget=1500, phases=3, phase_gap_days=56)
    schedule = solve(tight)
    assert violations(tight, schedule) == []
    single = solve(replace(tight, phases=1))
    # Phase 1 is the best plan within the budget; later phases only add to it, each within the budget again.
    assert {k for k in schedule.selected if schedule.phase_of(k) == 0} == set(single.selected)
    assert schedule.value >= single.value


@settings(max_examples=30)
@given(problems())
def test_the_schedule_is_deterministic(problem: SolverProblem) -> None:
    assert solve(problem) == solve(problem)


def test_for_equal_value_it_prefers_fewer_visits() -> None:
    items = (SolverItem("a", "a", 100, 10), SolverItem("b", "b", 100, 10))
    schedule = solve(SolverProblem(items, max_visits=4))
    assert schedule.visit_days == (0,) and schedule.value == 200
