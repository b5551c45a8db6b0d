import sys

from wamock.cli import main

sys.exit(main())
