"""`python -m gan_lessons`: the lecture runner of lessons 01-09 (see gan_lessons.runner)."""

import sys

from gan_lessons.runner import main

sys.exit(main())
