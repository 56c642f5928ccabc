"""Signals of the report feature, so features that follow a report up (mdk.proms) need not
be known here.

`report_issued` is sent inside the issue's transaction, after the new report row is
flushed (the first issue, and each new version: a newly established care plan, an
addendum): `sender=case`, `report=` the Report. A receiver's changes commit or roll back
with the issue.
"""

from blinker import Namespace

signals = Namespace()
report_issued = signals.signal("report-issued")
