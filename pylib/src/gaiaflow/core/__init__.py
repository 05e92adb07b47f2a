"""The DAG-side API: ``create_task`` (``gaiaflow.core.create_task``) and ``FromTask``
(``gaiaflow.core.operators``).

Importing this package does not import Airflow; ``create_task`` imports the operator, and with
it the provider, that the chosen mode needs.
"""
