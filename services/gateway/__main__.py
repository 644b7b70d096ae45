"""python -m services.gateway: the same as `frontdesk gateway`."""

import sys

from shared.cli import main

raise SystemExit(main(["gateway", *sys.argv[1:]]))
