"""Analyses: pure functions over NetworkX graphs projected from the store as of a date.

Modules: :mod:`.interdependence` (unicentric vs pluricentric, §3.1: the view of one meta-organisation in
:mod:`.federation`, its measures in :mod:`.measures`), :mod:`.style` (control × system proactivity, §3.2, over the
evidence of :mod:`.reach`, which also holds the scale profile, §3.7), :mod:`.brokerage` (boundary spanners, §3.6,
with the roles of :mod:`.gould_fernandez`), :mod:`.footprint` (coterminosity, §3.9), :mod:`.competition` (§3.8),
:mod:`.contracts` (who delivers under whom, §4.4) and :mod:`.registry` (metadata that drives the CLI and the API).
No function here touches a database, a file or a setting. See ``docs/analyses.md``.
"""
