"""`python -m bench [--quick] [--only NAMES] [--no-postgres]`."""

from bench import main

raise SystemExit(main())
