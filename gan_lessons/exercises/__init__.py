"""The exercise checks of lessons 01-09, one module per lesson: `lessonNN.check_*(function)`."""
