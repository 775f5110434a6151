"""`python -m gan_lessons`: the lecture runner of lessons 01-06 (see gan_lessons.runner)."""

import sys

from gan_lessons.runner import main

sys.exit(main())
