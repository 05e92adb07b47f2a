"""Named CPU and memory profiles for tasks that run as Kubernetes pods (prod_local, prod).

A task picks its profile with ``create_task(resource_profile=...)``, else the DAG's
``resource_profile`` param (the original tool's way), else ``GAIAFLOW_RESOURCE_PROFILE``, else
``"low"``. Requests equal what the scheduler reserves; limits are where the pod is throttled
(CPU) or killed (memory).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DEFAULT_RESOURCE_PROFILE = "low"

RESOURCE_PROFILES: Mapping[str, Mapping[str, Mapping[str, str]]] = {
    "low": {
        "requests": {"cpu": "250m", "memory": "512Mi"},
        "limits": {"cpu": "500m", "memory": "1Gi"},
    },
    "medium": {
        "requests": {"cpu": "500m", "memory": "1Gi"},
        "limits": {"cpu": "1", "memory": "2Gi"},
    },
    "high": {
        "requests": {"cpu": "1", "memory": "2Gi"},
        "limits": {"cpu": "2", "memory": "4Gi"},
    },
    "ultra": {
        "requests": {"cpu": "2", "memory": "4Gi"},
        "limits": {"cpu": "4", "memory": "8Gi"},
    },
}


def choose_profile(
    explicit: str | None, dag_params: Mapping[str, Any] | None, environ: Mapping[str, str]
) -> str | None:
    """Return the profile name a task asked for, in order of precedence, or None."""
    if explicit:
        return explicit
    if dag_params is not None and "resource_profile" in dag_params:
        value = dag_params["resource_profile"]
        return value if isinstance(value, str) else str(value)
    return environ.get("GAIAFLOW_RESOURCE_PROFILE") or None
