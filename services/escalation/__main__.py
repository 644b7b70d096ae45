"""python -m services.escalation"""

import sys

from services.escalation.cli import main

raise SystemExit(main(sys.argv[1:]))
