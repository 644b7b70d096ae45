"""python -m services.scheduler: the same as `frontdesk scheduler`."""

import sys

from shared.cli import main

raise SystemExit(main(["scheduler", *sys.argv[1:]]))
