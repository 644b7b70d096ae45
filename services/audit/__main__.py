"""python -m services.audit: the same as `frontdesk audit`."""

import sys

from shared.cli import main

raise SystemExit(main(["audit", *sys.argv[1:]]))
