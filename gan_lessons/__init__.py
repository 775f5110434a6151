"""gan_lessons: the helpers behind an interactive course on Generative Adversarial Networks (lessons 01-09).

Import modules, not names: `from gan_lessons import toy, models, training`.
"""

__version__ = "0.1.0"
