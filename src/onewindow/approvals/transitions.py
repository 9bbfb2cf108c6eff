"""The state machine of an approval task (办件), as one explicit table, and who takes each step.

    not_started ──prepare──▶ preparing ──accept──▶ accepted ──approve / refuse──▶ approved / refused
                                 │                  │   ▲
                                 │       request_correction  resubmit
                                 │                  ▼   │
                                 │               correcting
                                 └──approve_on_commitment (告知承诺制: decided at once)──▶ approved
    withdraw: from not_started, preparing, accepted or correcting to withdrawn.

Each action is one service function in ``task_services``; an action from a state not listed for it is
refused with a ``ValidationError`` that names the state. ``side`` says who acts: the project's agent
side (the agent, or centre staff who may edit the project) or the department's window clerks.
"""

from __future__ import annotations

from dataclasses import dataclass

from onewindow.approvals.models import TaskState

AGENT_SIDE = "agent"
WINDOW = "window"


@dataclass(frozen=True)
class Action:
    name: str
    sources: frozenset[str]
    target: str
    sides: frozenset[str]


_S = TaskState
ACTIONS: dict[str, Action] = {
    action.name: action
    for action in (
        Action("prepare", frozenset({_S.NOT_STARTED}), _S.PREPARING, frozenset({AGENT_SIDE})),
        Action("accept", frozenset({_S.PREPARING}), _S.ACCEPTED, frozenset({WINDOW})),
        Action("request_correction", frozenset({_S.ACCEPTED}), _S.CORRECTING, frozenset({WINDOW})),
        Action("resubmit", frozenset({_S.CORRECTING}), _S.ACCEPTED, frozenset({AGENT_SIDE, WINDOW})),
        Action("approve", frozenset({_S.ACCEPTED}), _S.APPROVED, frozenset({WINDOW})),
        Action("refuse", frozenset({_S.ACCEPTED}), _S.REFUSED, frozenset({WINDOW})),
        Action("approve_on_commitment", frozenset({_S.PREPARING}), _S.APPROVED, frozenset({WINDOW})),
        Action(
            "withdraw",
            frozenset({_S.NOT_STARTED, _S.PREPARING, _S.ACCEPTED, _S.CORRECTING}),
            _S.WITHDRAWN,
            frozenset({AGENT_SIDE}),
        ),
    )
}

# state → the states it may go to, for pages and documentation.
TRANSITIONS: dict[str, frozenset[str]] = {
    state: frozenset(action.target for action in ACTIONS.values() if state in action.sources)
    for state in TaskState.values
}

FINAL_STATES = frozenset(state for state, targets in TRANSITIONS.items() if not targets)


def allowed(action: str, state: str) -> bool:
    return state in ACTIONS[action].sources
