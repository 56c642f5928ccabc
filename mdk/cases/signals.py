"""Signals other features listen to, so the case feature needs to know none of them.

`case_moved` is sent inside the move's transaction, after the case has its new state (and
meeting) and the transition row is added: a receiver's changes commit or roll back with the
move. Receivers get `sender=case` and `transition=` the CaseTransition.
"""

from blinker import Namespace

signals = Namespace()
case_moved = signals.signal("case-moved")
