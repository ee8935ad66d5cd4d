"""The AWS clients of one process."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from portal.settings import Settings
from portal.store import client as aws

if TYPE_CHECKING:
    pass


class Clients:
    """The AWS clients of one process, each created on first use (thread-safe).

    Tests pass ready-made clients (moto, DynamoDB Local); otherwise they come
    from :mod:`portal.store.client` with its local guard.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        dynamodb: Any = None,
        s3: Any = None,
        sns: Any = None,
        lambda_: Any = None,
        cloudfront: Any = None,
    ) -> None:
        self.settings = settings
        self._made: dict[str, Any] = {"dynamodb": dynamodb, "s3": s3, "sns": sns,
                                      "lambda": lambda_, "cloudfront": cloudfront}  # fmt: skip
        self._lock = threading.Lock()

    def _get(self, name: str) -> Any:
        made = self._made[name]
        if made is None:
            with self._lock:
                made = self._made[name]
                if made is None:
                    factory = {
                        "dynamodb": aws.dynamodb_client,
                        "s3": aws.s3_client,
                        "sns": aws.sns_client,
                        "lambda": aws.lambda_client,
                        "cloudfront": aws.cloudfront_client,
                    }[name]
                    made = self._made[name] = factory(self.settings)
        return made

    @property
    def dynamodb(self) -> Any:
        return self._get("dynamodb")

    @property
    def s3(self) -> Any:
        return self._get("s3")

    @property
    def sns(self) -> Any:
        return self._get("sns")

    @property
    def lambda_(self) -> Any:
        return self._get("lambda")

    @property
    def cloudfront(self) -> Any:
        return self._get("cloudfront")
