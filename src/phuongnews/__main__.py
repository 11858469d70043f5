import sys

from phuongnews.cli import main

sys.exit(main())
