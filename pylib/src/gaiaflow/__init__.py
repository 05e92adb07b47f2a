"""gaiaflow: write an Airflow DAG once, run each task locally, in Docker or in Kubernetes.

DAGs import ``create_task`` from ``gaiaflow.core.create_task`` and ``FromTask`` from
``gaiaflow.core.operators``. Task images run ``python -m gaiaflow.runner``.

This module must stay importable without Airflow: task images install gaiaflow only for its
runner, so nothing here may import Airflow or a provider.
"""

__version__ = "0.1.0"
