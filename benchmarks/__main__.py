"""``python -m benchmarks [--quick] [--only B1,B4] [--results FILE] [--keep]``."""

import sys

from .suite import main

sys.exit(main())
