"""python -m services.agent"""

import sys

from services.agent.cli import main

raise SystemExit(main(sys.argv[1:]))
