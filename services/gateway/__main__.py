"""python -m services.gateway"""

import sys

from services.gateway.cli import main

raise SystemExit(main(sys.argv[1:]))
