"""Helpers in a module of their own, for the calls-between-functions cases
(tests/test_semantics_calls.py): a callee of another module reads its own globals."""

SCALE = 3


def scaled(x):
    return x * SCALE


def weighted(x, *, weight=0.5, bias=0.0):
    return x * weight + bias


def first_over(xs, limit):
    for i in range(len(xs)):
        if xs[i] > limit:
            return i
    return -1


class Shape:
    """A class of another module, for `isinstance(x, calls_helpers.Shape)` (test_semantics_objects.py)."""

    def __init__(self, size):
        self.size = size

    @property
    def area(self):
        return self.size * self.size


class Square(Shape):
    pass
