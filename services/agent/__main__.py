"""python -m services.agent: the same as `frontdesk agent`."""

import sys

from shared.cli import main

raise SystemExit(main(["agent", *sys.argv[1:]]))
