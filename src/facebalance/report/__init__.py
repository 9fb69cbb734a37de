"""Outputs of every view's analysis: the versioned JSON documents, the annotated images, the charts and the
terminal summaries.

* :mod:`~facebalance.report.document` - frontal and profile JSON documents (one header, one measurement
  and finding layout);
* :mod:`~facebalance.report.oblique` - the oblique JSON document and the left/right or session comparison;
* :mod:`~facebalance.report.annotate`, :mod:`~facebalance.report.annotate_profile`,
  :mod:`~facebalance.report.annotate_oblique` - annotated photos;
* :mod:`~facebalance.report.summary` - the Rich terminal summaries;
* :mod:`~facebalance.report.dynamics`, :mod:`~facebalance.report.dynamics_charts` - ``dynamics.json`` and
  its charts;
* :mod:`~facebalance.report.output` - writing them (whole files or nothing) for the commands.

The view pipelines (``analysis``, ``profile``, ``oblique``, ``dynamics``) never import this package.
"""
