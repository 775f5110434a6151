"""The exercise checks of lessons 01-06, one module per lesson: `lessonNN.check_*(function)`."""
