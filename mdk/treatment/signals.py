"""Signals of the treatment follow-up, so features that count from the treatment start
(mdk.proms) need not be known here.

`treatment_recorded` is sent inside the record's transaction, after the row has its new
outcome (a first record or a correction that changed something): `sender=case`,
`row=` the TreatmentOutcome. A receiver's changes commit or roll back with the record.
"""

from blinker import Namespace

signals = Namespace()
treatment_recorded = signals.signal("treatment-recorded")
