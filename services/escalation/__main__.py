"""python -m services.escalation: the same as `frontdesk escalation`."""

import sys

from shared.cli import main

raise SystemExit(main(["escalation", *sys.argv[1:]]))
