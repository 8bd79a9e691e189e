"""`Deopt`: raised by native code when a call must run as Python instead.

Native code raises it only while the call has no visible effect yet (argument
checks, int overflow before any write, a numpy edge case); argument lists are
copied in and out, and array arguments are restored from a snapshot first, so
re-running the Python original gives exactly Python's result. A signal
handler's exception (KeyboardInterrupt) that stops a native loop is raised
as it is, never turned into a Deopt: the call's effects so far have happened.
"""


class Deopt(Exception):
    """This call must run in Python; the message says why."""
