"""python -m services.scheduler [serve | load-spa FILE | load-spa --demo]"""

import sys

from services.scheduler.cli import main

raise SystemExit(main(sys.argv[1:]))
