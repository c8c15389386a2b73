"""What the sandbox's server and its API modules share: the handler type and the JSON answer.

A module of its own so that the API modules need not import ``sandbox.server``, which imports them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from werkzeug.wrappers import Request, Response

Handler = Callable[[Request, dict[str, Any]], Response]


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status=status, headers=headers,
                    content_type="application/json; charset=utf-8")
