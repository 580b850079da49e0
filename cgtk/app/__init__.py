"""The use cases of cgtk: one module per command, each a typed request in and a typed
result out. The command line (:mod:`cgtk.cli`) only parses arguments into a request,
calls one of these and renders the result; Python code can call them the same way.

================  ==========================================  ==========================
module            request -> result                           ``cgtk`` command
================  ==========================================  ==========================
``train``         ``TrainRequest -> TrainResult``             ``train PLUGIN``
``resume``        ``ResumeRequest -> TrainResult``            ``train --resume RUN_DIR``
``infer``         ``InferRequest -> InferResult``             ``infer``
``evaluate``      ``EvalRequest -> EvalResult``               ``eval``
``export``        ``ExportRequest -> ExportResult``           ``export``
``bench``         ``BenchRequest -> BenchResult``             ``bench``
``import_weights`` ``ImportRequest -> ImportResult``          ``import``
``plugins``       ``PluginsRequest -> PluginsResult``, ...    ``plugins list|show``
``datasets``      ``dataset_info(target) -> dict``, ...        ``data list|fetch|info|check``
``preview``       ``PreviewRequest -> Path``                  ``data preview PLUGIN``
``report``        ``ReportRequest -> ReportResult``           ``report``
================  ==========================================  ==========================

While it runs, a use case talks to the user only through the
:class:`~cgtk.app.feedback.Feedback` it is given (the default says nothing).

>>> from cgtk.app.plugins import PluginsRequest, list_plugins
>>> result = list_plugins(PluginsRequest())
>>> "cyclegan" in [p.name for p in result.plugins]
True
"""
