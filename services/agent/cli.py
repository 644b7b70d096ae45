"""The agent's command line.

frontdesk agent [serve]                 run the agent service
frontdesk agent eval time-parsing FILE  score the time-preference parser on a JSON Lines file
frontdesk agent eval escalation FILE    score the escalation guard on a JSON Lines file
frontdesk agent eval train-guard        train the medical guard's weights (needs the `train` extra)
frontdesk agent eval conversations PATH --gateway URL   play the scenario suite against a running system
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Run the service (no arguments or `serve`), or one of its tools."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] == "serve":
        from services.agent.app import run
        from services.agent.settings import AgentSettings

        run(AgentSettings())
        return 0
    if args[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    if args[0] == "eval" and args[1:2] == ["conversations"]:
        from services.agent.scenarios.main import main as conversations

        return conversations(args[2:])
    if args[0] == "eval" and args[1:2] == ["train-guard"]:
        return _train_guard(args[2:])
    if args[0] == "eval":
        from services.agent.evaluate import main as evaluate

        return int(evaluate(args[1:]) or 0)
    print(f"frontdesk agent: unknown command {args[0]!r}\n{__doc__}", file=sys.stderr)
    return 2


def _train_guard(argv: list[str]) -> int:
    try:
        from services.agent.train_guard import main as train
    except ModuleNotFoundError as exc:
        print(
            f"frontdesk: training needs the train extra (pip install 'frontdesk[train]'): {exc}",
            file=sys.stderr,
        )
        return 2
    return train(argv)
