"""What the three gaiaflow operators share: turning the task's call into this run's JSON."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from gaiaflow.core.settings import GaiaflowMode
from gaiaflow.core.task import TaskCall, TaskRunError

if TYPE_CHECKING:
    from airflow.sdk.definitions.context import Context


class GaiaflowOperatorMixin:
    """Mixed into an Airflow operator class ahead of it; holds the task's :class:`TaskCall`."""

    gaiaflow_call: TaskCall
    gaiaflow_mode: GaiaflowMode

    def gaiaflow_call_json(self, context: Context) -> str:
        """Resolve FromTask values, templates and params for this run; return the call JSON."""
        try:
            return self.gaiaflow_call.resolve(self, context)  # type: ignore[arg-type]
        except TaskRunError as err:
            # A definition error fails the same way on every try: fail now, skip the retries.
            raise _fail_exception()(str(err)) from None


def _fail_exception() -> type[Exception]:
    try:
        from airflow.sdk.exceptions import AirflowFailException
    except ImportError:  # Airflow 3.0 kept it in airflow.exceptions only
        from airflow.exceptions import AirflowFailException
    return AirflowFailException


def mask_secrets(values: Iterable[Any]) -> None:
    """Ask Airflow to redact these values wherever they would appear in task logs."""
    try:
        from airflow.sdk.log import mask_secret
    except ImportError:
        try:
            from airflow.sdk.execution_time.secrets_masker import mask_secret
        except ImportError:
            return
    for value in values:
        if value:
            mask_secret(value)
