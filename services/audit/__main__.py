"""python -m services.audit: run the service, or one of its tools."""

import sys

from services.audit.cli import main

raise SystemExit(main(sys.argv[1:]))
